// The `castore` device API object: trust anchors in flash (docs/castore-format.md).
//
//   castore.open(name?, verify?) -> store (default file castore.DEFAULT_NAME = "etls.ca"),
//                                   header and body SHA-256 checked; throws CASTORE_* EtErrors
//   store.findByIssuer(issuerDer) -> [anchor, ...] whose subject is byte-equal to issuerDer
//   store.findByKeyId(keyId)      -> [anchor, ...] whose subject key identifier is keyId
//   store.get(i)                  -> anchor i (0 <= i < store.count)
//   store.version, store.count, store.created, store.info()
//   castore.checkName(name)       -> name, or throws CASTORE_BAD_NAME (> 28 characters)
//
// An open store is an AnchorSource: pass it as `ca` to tls.connect / https.request, or as
// `anchors` to x509.validate. Without `ca`, TLS and HTTPS use castore.open().

import { open, forget, checkName, DEFAULT_NAME, NAME_MAX, FORMAT_VERSION } from "./store";

export const castore = {
  open: open,
  forget: forget,
  checkName: checkName,
  DEFAULT_NAME: DEFAULT_NAME,
  NAME_MAX: NAME_MAX,
  FORMAT_VERSION: FORMAT_VERSION,
};
