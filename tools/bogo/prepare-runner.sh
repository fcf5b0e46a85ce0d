#!/bin/sh
# Makes BoGo's test certificates RFC 5280-valid, once, in a BoringSSL checkout (outside this
# repository): the runner's leaf certificates have an empty subject and a NON-critical
# subjectAltName, which RFC 5280 4.2.1.6 forbids and our validator refuses (BAD_CERT "empty
# subject needs a critical subjectAltName"; x509-limbo's rfc5280::san::noncritical-with-empty-subject
# expects that refusal). This marks the subjectAltName critical when the subject is empty, and
# changes nothing else. Usage: tools/bogo/prepare-runner.sh <boringssl-dir>
set -e
F="$1/ssl/test/runner/certs.go"
grep -q 'critical: empty subject (RFC 5280' "$F" && { echo "already prepared: $F"; exit 0; }
sed -i 's|^\(\t*\)ext.AddASN1ObjectIdentifier(oidSubjectAltName)$|&\n\1if len(subject.Name.ToRDNSequence()) == 0 {\n\1\text.AddASN1Boolean(true) // critical: empty subject (RFC 5280 4.2.1.6)\n\1}|' "$F"
grep -q 'critical: empty subject (RFC 5280' "$F" || { echo "could not patch $F (upstream changed?)"; exit 1; }
echo "prepared: $F"
