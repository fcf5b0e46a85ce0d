// The HTTP/1.1 response parser (firmware/https/parser.ts): status line, headers, Content-Length,
// chunked coding, bodies framed by the close; fed in chunks. Input: [chunk][maxBody][noBody]
// then the response bytes. Invariants: coded errors only; events in order (head once, then
// body parts, then done once, nothing after); the body within maxBody; a Content-Length body of
// exactly that length (none for HEAD, 204 and 304).
import { fuzzFirmware, coded, latin1, fromLatin1, Violation } from "../engine.mjs";

const R = (s) => fromLatin1("\x00\x40\x00" + s);

export default {
  async setup() { const fw = await fuzzFirmware(); return { fw, F: fw.T.fuzz }; },
  seeds() {
    return [
      R("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello"),
      R("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nTrailer: x\r\n\r\n"),
      R("HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\nno such thing"),
      R("HTTP/1.1 204 No Content\r\n\r\n"),
      R("HTTP/1.0 301 Moved\r\nLocation: https://example.com/\r\nContent-Length: 0\r\n\r\n"),
      fromLatin1("\x07\x01\x00HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ncontent-length: 3\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
      fromLatin1("\x00\x40\x01HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"),
    ];
  },
  run(ctx, input) {
    const chunk = input[0] || 0, maxBody = ((input[1] || 0) + 1) * 64, noBody = !!((input[2] || 0) & 1);
    const text = latin1(input.subarray(3));
    const st = { head: 0, body: 0, done: 0, headers: null };
    const p = new ctx.F.ResponseParser({
      head(status, reason, headers) {
        if (st.head || st.done) throw new Violation("head event twice or after done");
        if (!(status >= 100 && status <= 999)) throw new Violation("status " + status);
        st.head = 1; st.headers = headers; st.status = status;
      },
      body(s) { if (!st.head || st.done) throw new Violation("body before head or after done"); st.body += s.length; },
      done() { if (!st.head || st.done) throw new Violation("done before head or twice"); st.done = 1; },
    }, maxBody, noBody);
    const step = chunk || text.length || 1;
    for (let o = 0; o < text.length; o += step) if (coded(() => p.push(text.substr(o, step)), "push").err) return;
    if (coded(() => p.close(), "close").err) return;
    if (st.body > maxBody) throw new Violation(`body of ${st.body} bytes over maxBody ${maxBody}`);
    const h = st.headers || {};
    const cl = h["content-length"], te = h["transfer-encoding"];
    const bodiless = noBody || st.status === 204 || st.status === 304;
    if (st.done && cl !== undefined && te === undefined && !bodiless && /^[0-9]+$/.test(cl) && st.body !== Number(cl)) throw new Violation(`Content-Length ${cl}, body ${st.body}`);
    if (st.done && bodiless && st.body) throw new Violation(`a body of ${st.body} bytes in a response that has none`);
  },
};
