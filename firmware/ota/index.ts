// require("espruino-tls").ota: signed, versioned, expiring, power-fail safe CA list updates.
// See docs/ota.md. One updater per board (it owns the CA store slots and the state record).
import { Ota } from "./updater";
import { keepLayer } from "../layers";

export const otaApi: Ota = new Ota();
// Its configuration, schedule and status live in this object: once the application has touched
// `ota`, this layer stays loaded (tools/lib/layers.mjs).
keepLayer("ota");
