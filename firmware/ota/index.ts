// require("espruino-tls").ota: signed, versioned, expiring, power-fail safe CA list updates.
// See docs/ota.md. One updater per board (it owns the CA store slots and the state record).
import { Ota } from "./updater";

export const otaApi: Ota = new Ota();
