// Server identity rules (firmware/x509/hostname.ts): RFC 6125 / RFC 9525, SAN only.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as H from "../helpers/x509-certs.mjs";

let X;
before(async () => {
  X = await H.loadX509();
});

const sanDer = (list) => new Uint8Array(H.seq(...list.map(H.gn)));
const match = (list, host) => X.sanMatchesHost(sanDer(list), host);

test("DNS names: exact, case-insensitive, absolute form", () => {
  assert.equal(match([{ dns: "www.example.com" }], "www.example.com"), true);
  assert.equal(match([{ dns: "WWW.Example.COM" }], "www.example.com"), true);
  assert.equal(match([{ dns: "www.example.com" }], "WWW.EXAMPLE.COM"), true);
  assert.equal(match([{ dns: "www.example.com" }], "www.example.com."), true);
  assert.equal(match([{ dns: "www.example.com" }], "example.com"), false);
  assert.equal(match([{ dns: "example.com" }], "www.example.com"), false);
  assert.equal(match([{ dns: "example.com" }], "example2.com"), false);
  assert.equal(match([{ dns: "a.example.com" }, { dns: "b.example.com" }], "b.example.com"), true);
});

test("wildcards: whole leftmost label only, one label, never the bare domain, never '*.tld'", () => {
  const w = [{ dns: "*.example.com" }];
  assert.equal(match(w, "foo.example.com"), true);
  assert.equal(match(w, "FOO.example.com"), true);
  assert.equal(match(w, "example.com"), false, "bare domain");
  assert.equal(match(w, "a.b.example.com"), false, "across labels");
  assert.equal(match(w, ".example.com"), false);
  assert.equal(match([{ dns: "ba*.example.com" }], "baz.example.com"), false, "partial label");
  assert.equal(match([{ dns: "*az.example.com" }], "baz.example.com"), false);
  assert.equal(match([{ dns: "foo.*.example.com" }], "foo.bar.example.com"), false, "not leftmost");
  assert.equal(match([{ dns: "*.*.example.com" }], "a.b.example.com"), false);
  assert.equal(match([{ dns: "*" }], "com"), false);
  assert.equal(match([{ dns: "*.com" }], "example.com"), false, "wildcard over a TLD");
  assert.equal(match([{ dns: "xn--*-1b3c148a.example.com" }], "xn--bliss-1b3c148a.example.com"), false);
  assert.equal(match(w, "*.example.com"), false, "a wildcard reference is not a host");
});

test("invalid presented or reference names never match", () => {
  assert.equal(match([{ dns: "foo_bar.example.com" }], "foo_bar.example.com"), false);
  assert.equal(match([{ dns: "-foo.example.com" }], "-foo.example.com"), false);
  assert.equal(match([{ dns: "foo..example.com" }], "foo..example.com"), false);
  assert.equal(match([{ dns: "" }], ""), false);
  assert.equal(match([{ dns: "a".repeat(64) + ".com" }], "a".repeat(64) + ".com"), false, "label over 63");
  assert.equal(match([{ dns: "8.8.8.8" }], "8.8.8.8"), false, "IP in a dNSName");
  assert.equal(match([{ dns: "192.168.001.001" }], "192.168.001.001"), false, "all-numeric TLD");
});

test("IP addresses only against iPAddress entries, as bytes", () => {
  assert.equal(match([{ ip: "127.0.0.1" }], "127.0.0.1"), true);
  assert.equal(match([{ ip: "127.0.0.1" }], "127.0.0.2"), false);
  assert.equal(match([{ dns: "127.0.0.1" }], "127.0.0.1"), false);
  assert.equal(match([{ ip: "2001:db8::1" }], "2001:db8::1"), true);
  assert.equal(match([{ ip: "2001:db8::1" }], "2001:DB8:0:0:0:0:0:1"), true, "any IPv6 text form");
  assert.equal(match([{ ip: "2001:db8::1" }], "2001:db8::2"), false);
  assert.equal(match([{ ip: "::ffff:192.0.2.1" }], "::ffff:192.0.2.1"), true);
  assert.equal(match([{ ip: "192.0.2.1" }], "::ffff:192.0.2.1"), false, "v4 and v4-mapped v6 differ");
  assert.equal(match([{ ip: "192.0.2.1" }], "192.0.2.01"), false, "leading zero is not an address");
});

test("IPv4/IPv6 parsing and canonical text (RFC 5952)", () => {
  const hex = (b) => (b ? Buffer.from(b).toString("hex") : null);
  assert.equal(hex(X.parseIpv4("192.0.2.255")), "c00002ff");
  for (const bad of ["256.0.0.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1..2.3", "", "1.2.3.4 ", "0x1.2.3.4"]) assert.equal(X.parseIpv4(bad), null, bad);
  assert.equal(hex(X.parseIpv6("::")), "0".repeat(32));
  assert.equal(hex(X.parseIpv6("::1")), "0".repeat(31) + "1");
  assert.equal(hex(X.parseIpv6("1::")), "0001" + "0".repeat(28));
  assert.equal(hex(X.parseIpv6("2001:db8::8a2e:370:7334")), "20010db8000000000000" + "8a2e03707334");
  assert.equal(hex(X.parseIpv6("::ffff:1.2.3.4")), "00000000000000000000ffff01020304");
  for (const bad of [":", ":::", "1:::2", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "g::", "1:", ":1", "::1.2.3", "1:2:3:4:5:6:7:1.2.3.4"]) assert.equal(X.parseIpv6(bad), null, bad);
  const t = (s) => X.ipToText(X.parseIp(s));
  assert.equal(t("2001:0db8:0000:0000:0000:0000:0000:0001"), "2001:db8::1");
  assert.equal(t("2001:db8:0:0:1:0:0:1"), "2001:db8::1:0:0:1");
  assert.equal(t("2001:DB8::8A2E:370:7334"), "2001:db8::8a2e:370:7334");
  assert.equal(t("2001:db8:0:1:1:1:1:1"), "2001:db8:0:1:1:1:1:1", "a single zero group is not compressed");
  assert.equal(t("::"), "::");
  assert.equal(t("10.0.0.1"), "10.0.0.1");
});

test("randomised IPv6 text forms round-trip against node's parser", async () => {
  const net = await import("node:net");
  for (let n = 0; n < 300; n++) {
    const g = Array.from({ length: 8 }, () => (Math.random() < 0.4 ? 0 : Math.floor(Math.random() * 65536)));
    const full = g.map((v) => v.toString(16)).join(":");
    const canon = X.ipToText(X.parseIpv6(full));
    assert.ok(net.isIPv6(canon), canon);
    assert.deepEqual(Buffer.from(X.parseIpv6(canon)), Buffer.from(X.parseIpv6(full)), full + " -> " + canon);
  }
});

test("no subjectAltName: nothing matches (no CN fallback)", () => {
  assert.equal(X.sanMatchesHost(null, "example.com"), false);
});
