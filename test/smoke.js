// Loads the library from Storage on the interpreter and prints its version.
// Run: ESPRUINO_BIN=/path/to/espruino npm run espruino -- test/smoke.js
var lib = require("espruino-tls");
print("espruino-tls " + lib.version + " loaded; " + process.memory().usage + " JsVars in use");
setTimeout(quit, 0);
