import { fromHex, toHex, concat, ctEqual, copyOf, ascii } from "../util/bytes";
import { runSync } from "../util/job";

export const util = { fromHex: fromHex, toHex: toHex, concat: concat, ctEqual: ctEqual, copyOf: copyOf, ascii: ascii, runSync: runSync };
