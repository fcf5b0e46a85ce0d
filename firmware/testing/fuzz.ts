// Internals exposed to the fuzz targets (tools/fuzz/): the parsers that face the network and the
// OTA channel, reachable one by one (the device API only reaches them through sockets).
import { ResponseParser } from "../https/parser";
import { checkReply, sntpRequest, ntpTime } from "../time/sntp";
import { RecordLayer, cipherState } from "../tls/record";
import { V12_EXPLICIT, V12_XOR } from "../tls/record12";
import { HandshakeReader, parseServerHello } from "../tls/messages";
import { TlsClient } from "../tls/client";
import { ownKey, subjectText } from "../x509/cert";
import { parseEnvelope, parseManifest, parseKeySet, MANIFEST_CONTEXT, KEYS_CONTEXT } from "../ota/format";
import { countJob, requireThreshold } from "../ota/keys";

export const fuzz = {
  ResponseParser: ResponseParser,
  checkReply: checkReply,
  sntpRequest: sntpRequest,
  ntpTime: ntpTime,
  RecordLayer: RecordLayer,
  cipherState: cipherState,
  V12_EXPLICIT: V12_EXPLICIT,
  V12_XOR: V12_XOR,
  HandshakeReader: HandshakeReader,
  parseServerHello: parseServerHello,
  TlsClient: TlsClient,
  ownKey: ownKey,
  subjectText: subjectText,
  parseEnvelope: parseEnvelope,
  parseManifest: parseManifest,
  parseKeySet: parseKeySet,
  MANIFEST_CONTEXT: MANIFEST_CONTEXT,
  KEYS_CONTEXT: KEYS_CONTEXT,
  countJob: countJob,
  requireThreshold: requireThreshold,
};
