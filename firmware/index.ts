// The device API: require("espruino-tls"). Names here are stable (README "Device API").
import { VERSION } from "./board";

export const version: string = VERSION;
