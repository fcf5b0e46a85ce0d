// The X.509 test files other than x509-refusals.test.mjs, in one process (`node --test
// test/unit/x509-suite.mjs`): the firmware bundle and the test keys load once, not once per file.
// tools/mutate-x509.mjs runs x509-refusals.test.mjs and then this for each mutant, stopping at the
// first failure, so the quick, specific files come first. `npm test` runs the files themselves
// (this one is not a *.test.mjs).
import "./x509.test.mjs";
import "./x509-constraints.test.mjs";
import "./x509-hostname.test.mjs";
import "./x509-der.test.mjs";
import "./x509-openssl-chains.test.mjs";
import "./x509-limbo.test.mjs";
