// Seed material shared by the X.509 targets: the chains recorded with the flights
// (test/fuzz/seeds/chains.json) and x509-limbo's SERVER cases (test/vectors/data/x509-limbo,
// Apache-2.0 data).
import { readFileSync, existsSync } from "node:fs";
import path from "node:path";
import { SEEDS_DIR, ROOT } from "./paths.mjs";

const pemDer = (pem) => [...pem.matchAll(/-----BEGIN CERTIFICATE-----([^-]+)-----END CERTIFICATE-----/g)].map((m) => new Uint8Array(Buffer.from(m[1].replace(/\s+/g, ""), "base64")));

/** [{ name, time, host, anchors: [der], chain: [der] (leaf first) }] */
export function chainCases({ limbo = true } = {}) {
  const own = JSON.parse(readFileSync(path.join(SEEDS_DIR, "chains.json"), "utf8"));
  const out = own.chains.map((c) => ({ name: c.name, time: own.time, host: own.host, anchors: c.anchors.map((h) => new Uint8Array(Buffer.from(h, "hex"))), chain: c.chain.map((h) => new Uint8Array(Buffer.from(h, "hex"))) }));
  const file = path.join(ROOT, "test/vectors/data/x509-limbo/limbo.json");
  if (limbo && existsSync(file)) {
    for (const t of JSON.parse(readFileSync(file, "utf8")).testcases) {
      if (t.validation_kind !== "SERVER" || !t.expected_peer_name || t.expected_peer_name.kind !== "DNS") continue;
      out.push({
        name: t.id, time: t.validation_time ? Math.floor(Date.parse(t.validation_time) / 1000) : own.time, host: t.expected_peer_name.value,
        anchors: t.trusted_certs.flatMap(pemDer), chain: [...pemDer(t.peer_certificate), ...t.untrusted_intermediates.flatMap(pemDer)],
      });
    }
  }
  return out;
}
