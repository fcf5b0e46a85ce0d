// Name constraints (firmware/x509/constraints.ts) checked directly on DER.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as H from "../helpers/x509-certs.mjs";

let X;
before(async () => {
  X = await H.loadX509();
});

const ncDer = (o) => new Uint8Array(H.nc(o).value);
/** Checks a certificate-like object with the given subject and SAN entries. */
function check(o, sans, subject = null, budget = 10000) {
  const subj = new Uint8Array(H.name(subject || []));
  const c = { subject: subj, subjectEmpty: !subject, san: sans ? new Uint8Array(H.seq(...sans.map(H.gn))) : null };
  return X.checkNameConstraints(ncDer(o), c, { n: budget });
}
const ok = (o, sans, subject) => assert.equal(check(o, sans, subject), null, JSON.stringify(sans));
const no = (o, sans, subject) => assert.notEqual(check(o, sans, subject), null, JSON.stringify(sans));

test("dNSName subtrees: label boundaries, case, empty constraint", () => {
  const p = { permitted: [{ dns: "example.com" }] };
  ok(p, [{ dns: "example.com" }]);
  ok(p, [{ dns: "a.b.EXAMPLE.com" }]);
  no(p, [{ dns: "badexample.com" }]);
  no(p, [{ dns: "example.com.evil" }]);
  no(p, [{ dns: "example.org" }]);
  ok(p, [{ ip: "192.0.2.1" }], null); // other types are not restricted by DNS constraints
  ok({ permitted: [{ dns: "" }] }, [{ dns: "anything.test" }]);
  no({ excluded: [{ dns: "" }] }, [{ dns: "anything.test" }]);
  no({ permitted: [{ dns: "example.com" }] }, [{ dns: "ok.example.com" }, { dns: "other.net" }]);
});

test("wildcard SANs against DNS subtrees (CVE-2025-61727)", () => {
  ok({ permitted: [{ dns: "foo.com" }] }, [{ dns: "*.foo.com" }]);
  no({ permitted: [{ dns: "a.foo.com" }] }, [{ dns: "*.foo.com" }]);
  no({ excluded: [{ dns: "bar.example.com" }] }, [{ dns: "*.example.com" }]);
  no({ excluded: [{ dns: "example.com" }] }, [{ dns: "*.example.com" }]);
  ok({ excluded: [{ dns: "a.bar.example.com" }] }, [{ dns: "*.example.com" }]); // two labels down: unreachable
  no({ permitted: [{ dns: "example.com" }] }, [{ dns: ".example.com" }]); // malformed
  no({ permitted: [{ dns: "example.com" }] }, [{ dns: "foo_bar.example.com" }]);
});

test("leading-period dNSName subtrees ('.example.com'): subdomains only, as OpenSSL/Go/NSS/webpki read them", () => {
  const p = { permitted: [{ dns: ".example.com" }] };
  ok(p, [{ dns: "www.example.com" }]);
  ok(p, [{ dns: "a.b.Example.COM" }]);
  no(p, [{ dns: "example.com" }]); // the domain itself is not a subdomain
  no(p, [{ dns: "badexample.com" }]);
  no(p, [{ dns: "www.example.org" }]);
  ok(p, [{ dns: "*.example.com" }]); // every name it matches has a label more
  no({ permitted: [{ dns: ".a.example.com" }] }, [{ dns: "*.example.com" }]);
  const x = { excluded: [{ dns: ".example.com" }] };
  no(x, [{ dns: "www.example.com" }]);
  ok(x, [{ dns: "example.com" }]);
  no(x, [{ dns: "*.example.com" }]);
  ok({ excluded: [{ dns: ".bar.example.com" }] }, [{ dns: "*.example.com" }]); // could be bar.example.com, never below it
  no({ excluded: [{ dns: "bar.example.com" }] }, [{ dns: "*.example.com" }]); // without the period it could be bar.example.com
});

test("iPAddress subtrees: IPv4 and IPv6 prefixes, families kept apart", () => {
  const p = { permitted: [{ ip: "192.0.2.0/24" }, { ip: "2001:db8::/32" }] };
  ok(p, [{ ip: "192.0.2.200" }]);
  no(p, [{ ip: "192.0.3.1" }]);
  ok(p, [{ ip: "2001:db8:1::1" }]);
  no(p, [{ ip: "2001:db9::1" }]);
  no({ permitted: [{ ip: "192.0.2.0/24" }] }, [{ ip: "::ffff:192.0.2.1" }]);
  no({ excluded: [{ ip: "10.0.0.0/8" }] }, [{ ip: "10.1.2.3" }]);
  ok({ excluded: [{ ip: "10.0.0.0/8" }] }, [{ ip: "11.1.2.3" }]);
  ok({ permitted: [{ ip: "0.0.0.0/0" }] }, [{ ip: "8.8.8.8" }]);
});

test("directoryName subtrees apply to the subject and to directoryName SANs", () => {
  const p = { permitted: [{ dn: [["C", "DE"], ["O", "Good"]] }] };
  ok(p, [{ dns: "x.test" }], [["C", "DE"], ["O", "Good"], ["CN", "x"]]);
  no(p, [{ dns: "x.test" }], [["C", "DE"], ["O", "Evil"], ["CN", "x"]]);
  no(p, [{ dns: "x.test" }], [["C", "DE"]]); // shorter than the constraint
  ok(p, [{ dns: "x.test" }], null); // empty subject: not checked
  no(p, [{ dn: [["C", "FR"]] }], [["C", "DE"], ["O", "Good"]]);
  no({ excluded: [{ dn: [["C", "DE"]] }] }, null, [["C", "DE"], ["CN", "x"]]);
});

test("constraints on name types we do not evaluate reject certificates that have such names", () => {
  const on = H.ctx(0, true, H.oid("1.3.6.1.4.1.55738.1"), H.ctx(0, true, H.tlv(0x0c, Buffer.from("x"))));
  const o = { excluded: [{ raw: on }] };
  no(o, [{ raw: on }]);
  ok(o, [{ dns: "x.test" }]);
  no({ permitted: [{ email: "example.com" }] }, [{ email: "a@example.com" }]);
  no({ permitted: [{ email: "example.com" }] }, [{ dns: "x.test" }], [["emailAddress", "a@example.com"]]);
});

test("malformed constraints are refused when the extension is read", () => {
  const bad = (o) => assert.throws(() => X.checkNameConstraintsDer(ncDer(o), 0, ncDer(o).length), (e) => e.code === "BAD_DER");
  bad({ permitted: [{ dns: "*.example.com" }] });
  bad({ permitted: [{ dns: "." }] });
  bad({ permitted: [{ dns: "..example.com" }] });
  bad({ excluded: [{ dns: ".*.example.com" }] });
  bad({ permitted: [{ dns: "caf\xe9.example.com" }] }); // non-ASCII: not the preferred name syntax
  X.checkNameConstraintsDer(ncDer({ permitted: [{ dns: ".example.com" }] }), 0, ncDer({ permitted: [{ dns: ".example.com" }] }).length);
  bad({ permitted: [{ ip: "192.0.2.1" }] }); // no mask
  bad({ permitted: [{ ip: Buffer.from([192, 0, 2, 0, 255, 0, 255, 0]) }] }); // mask not contiguous
  bad({ permitted: [{ ip: Buffer.from([10, 0, 255, 0]) }] }); // 4 bytes: its second half would pass as a mask
  bad({ permitted: [{ ip: Buffer.alloc(16) }] }); // an IPv6 address without a mask (all zero: a valid "mask")
  // minimum (DEFAULT 0, so absent in DER) and maximum (absent) are not used with any name form (RFC 5280 §4.2.1.10)
  for (const [what, field] of [["minimum 1", H.tlv(0x80, [1])], ["maximum 2", H.tlv(0x81, [2])]]) {
    const der = new Uint8Array(H.seq(H.ctx(0, true, H.seq(H.gn({ dns: "example.com" }), field))));
    assert.throws(() => X.checkNameConstraintsDer(der, 0, der.length), (e) => e.code === "BAD_DER" && /minimum\/maximum/.test(e.message), what);
  }
  bad({});
  X.checkNameConstraintsDer(ncDer({ permitted: [{ dns: "example.com" }] }), 0, ncDer({ permitted: [{ dns: "example.com" }] }).length);
});

test("the comparison budget bounds quadratic work", () => {
  const many = Array.from({ length: 200 }, (_, i) => ({ dns: `n${i}.example.com` }));
  const cons = { excluded: Array.from({ length: 200 }, (_, i) => ({ dns: `c${i}.example.com` })) };
  assert.throws(() => check(cons, many, null, 1000), (e) => e.code === "BUDGET_EXCEEDED");
});
