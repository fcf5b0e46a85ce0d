// Internals of the pre-shared key code, for vector tests (RFC 8448 traces, premaster layout).
import { KeySchedule } from "../tls/keyschedule";
import { SUITES13 } from "../tls/suites";
import { writeBinder } from "../tls/psk13";
import { pskFrom } from "../tls/psk";
import { pskPremaster, pskClientKeyExchange, parsePskKeyExchange } from "../tls/psk12";

export const psk = {
  KeySchedule: KeySchedule, SUITES13: SUITES13, writeBinder: writeBinder, pskFrom: pskFrom,
  pskPremaster: pskPremaster, pskClientKeyExchange: pskClientKeyExchange, parsePskKeyExchange: parsePskKeyExchange,
};
