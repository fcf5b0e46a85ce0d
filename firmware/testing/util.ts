import { fromHex, toHex, concat, ctEqual, copyOf, ascii } from "../util/bytes";
import { runSync } from "../util/job";
import { keepLayer } from "../layers";

// The test bundle's internals are one lazy layer (tools/lib/layers.mjs), kept once read: tests hold
// its objects and call through them many times.
keepLayer("internals");

export const util = { fromHex: fromHex, toHex: toHex, concat: concat, ctEqual: ctEqual, copyOf: copyOf, ascii: ascii, runSync: runSync };
