// Polyfills prepended (inside the bundle's wrapper function) to the @noble peer bundle: the
// statics and methods @noble calls that the interpreter lacks (FACTS §2-§3). ES5 only. They
// patch built-ins, so a peer runs in its own interpreter process, apart from our bundle.
var BigInt = function (x) {
  // Local (not global): @noble uses BigInt only for lengths in u64Lengths and for the
  // hex parser it never reaches here; numbers below 2^53 stand in for it.
  return typeof x === "string" && x.substr(0, 2) === "0x" ? parseInt(x.substr(2), 16) : Number(x);
};
(function () {
  function fromFor(T) {
    return function (src, fn) {
      var n = src.length, r = new T(n), i;
      for (i = 0; i < n; i++) r[i] = fn ? fn(src[i], i) : src[i];
      return r;
    };
  }
  function ofFor(T) {
    return function () {
      var r = new T(arguments.length), i;
      for (i = 0; i < arguments.length; i++) r[i] = arguments[i];
      return r;
    };
  }
  function sliceFor(T) {
    // u8.slice() returns a plain Array on the board; @noble expects a typed copy.
    return function (a, b) { return new T(this.subarray(a, b)); };
  }
  var types = [Uint8Array, Uint16Array, Uint32Array, Int32Array], i, T;
  for (i = 0; i < types.length; i++) {
    T = types[i];
    if (!T.from) T.from = fromFor(T);
    if (!T.of) T.of = ofFor(T);
    T.prototype.slice = sliceFor(T);
  }
  // TypeScript's __spreadArray helper calls Array.prototype.slice.call(...): the built-in
  // prototype is empty on the board, but the native method taken from an instance works.
  if (!Array.prototype.slice) Array.prototype.slice = [].slice;
  if (!Array.from) Array.from = function (src, fn) {
    var n = src.length, r = [], i;
    for (i = 0; i < n; i++) r.push(fn ? fn(src[i], i) : src[i]);
    return r;
  };
  if (!ArrayBuffer.isView) ArrayBuffer.isView = function (x) {
    return x !== null && typeof x === "object" && x.buffer instanceof ArrayBuffer;
  };
  if (!Number.isSafeInteger) Number.isSafeInteger = function (n) {
    return typeof n === "number" && isFinite(n) && Math.floor(n) === n && Math.abs(n) <= 9007199254740991;
  };
  // Object.assign(fn, ...) throws on the board (FACTS §2); @noble's wrapCipher does that.
  Object.assign = function (t) {
    var i, k, s;
    for (i = 1; i < arguments.length; i++) { s = arguments[i]; for (k in s) t[k] = s[k]; }
    return t;
  };
  if (!Object.freeze) Object.freeze = function (o) { return o; };
  if (!Object.hasOwn) Object.hasOwn = function (o, k) { return o.hasOwnProperty(k); };
  // Only what u64Lengths needs: a non-negative integer below 2^53 (our BigInt stand-in is a
  // number, so a host's native setBigUint64, e.g. in the board mock, is replaced too).
  DataView.prototype.setBigUint64 = function (off, v, le) {
    var lo = v % 4294967296, hi = (v - lo) / 4294967296;
    this.setUint32(off + (le ? 0 : 4), lo, le);
    this.setUint32(off + (le ? 4 : 0), hi, le);
  };
})();
