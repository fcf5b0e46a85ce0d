// mqtt.connect(url, options): Espruino's own MQTT module (require("MQTT"), unmodified) over our
// verified TLS socket, reconnecting after a drop. The module only needs a connected socket with
// write(string), end(), and the events data and end; we hand it one per connection. Each
// reconnection offers the session the shared cache kept (tls/resume.ts), so after a broker
// restart or a Wi-Fi drop the board resumes instead of doing the full public-key handshake.
import { EtError } from "../errors";
import { connect as tlsConnect } from "../tls/socket";

declare function require(name: string): any;

/** Options that belong to the MQTT module; everything else goes to tls.connect. */
const MQTT_KEYS = ["client_id", "keep_alive", "username", "password", "clean_session", "protocol_name", "protocol_level", "reconnect"];

export interface Reconnect {
  /** First delay after a drop, ms (default 1000). */
  min?: number;
  /** Longest delay, ms (default 60000); the delay doubles after each failed attempt. */
  max?: number;
}

/** mqtts://host[:port] to [host, port]; MQTT_BAD_URL otherwise (plain mqtt:// is not ours to carry). */
export function parseMqttUrl(url: string): any[] {
  const m = typeof url === "string" && url.substr(0, 8) === "mqtts://" ? url.substr(8) : null;
  if (m === null) throw new EtError("MQTT_BAD_URL", "the URL must start with mqtts:// (got " + url + ")", { url: url });
  let hostPort = m;
  const slash = hostPort.indexOf("/");
  if (slash >= 0) hostPort = hostPort.substr(0, slash);
  const colon = hostPort.lastIndexOf(":");
  let port = 8883;
  let host = hostPort;
  if (colon >= 0) {
    const p = hostPort.substr(colon + 1);
    host = hostPort.substr(0, colon);
    port = parseInt(p, 10);
    if (!(p.length > 0 && String(port) === p && port > 0 && port < 65536)) throw new EtError("MQTT_BAD_URL", "bad port in " + url, { url: url });
  }
  if (!host.length) throw new EtError("MQTT_BAD_URL", "no host in " + url, { url: url });
  return [host, port];
}

/**
 * Returns the MQTT object of require("MQTT").create(host, options), already connecting over TLS.
 * Its events are the module's (connected, disconnected, publish, message, ...) plus:
 *   "tls" (info): after each handshake, with info.resumed (true when the session was resumed);
 *   "error" (EtError): a TLS or network failure (the next attempt is scheduled unless stopped).
 * mqtt.disconnect() while connected also stops reconnecting, mqtt.stop() at any time; mqtt.tlsSocket
 * is the current socket.
 */
export function mqttConnect(url: string, options: any): any {
  const hp = parseMqttUrl(url);
  const o = options || {};
  if (typeof o.client_id !== "string" || !o.client_id.length) {
    // The module's default id comes from Math.random(): the same after every boot on ESP32 and
    // Linux builds, so two boards (or one board and its previous session) would evict each other.
    throw new EtError("MQTT_NO_CLIENT_ID", "give options.client_id (the MQTT module's default comes from Math.random(), the same after every boot)");
  }
  const mopts: any = { port: hp[1] };
  const topts: any = {};
  const keys = Object.keys(o);
  for (let i = 0; i < keys.length; i++) {
    if (MQTT_KEYS.indexOf(keys[i]) >= 0) mopts[keys[i]] = o[keys[i]]; else topts[keys[i]] = o[keys[i]];
  }
  topts.host = hp[0];
  topts.port = hp[1];
  let M: any;
  try { M = require("MQTT"); } catch (e) { M = null; }
  if (!M || typeof M.create !== "function") throw new EtError("MQTT_MODULE_MISSING", "require(\"MQTT\") failed: upload Espruino's MQTT module with your code (the IDE does it for require(\"MQTT\"))");
  const mqtt = M.create(hp[0], mopts);
  const rc: Reconnect = o.reconnect === false ? { min: -1 } : o.reconnect || {};
  const min = rc.min === undefined ? 1000 : rc.min, max = rc.max === undefined ? 60000 : rc.max;
  let delay = min, stopped = false, retry: any = null, sock: any = null;

  function schedule(): void {
    if (stopped || min < 0 || retry) return;
    retry = setTimeout(function () { retry = null; dial(); }, delay);
    delay = delay * 2 > max ? max : delay * 2;
  }

  function dial(): void {
    if (stopped) return;
    let s: any;
    try {
      s = tlsConnect(topts, function (info: any) {
        if (s !== sock || stopped) return;
        mqtt.emit("tls", info);
        mqtt.connect(s);
      });
    } catch (e) {
      // Option errors (bad ca, key, cert) do not get better by retrying.
      stopped = true;
      mqtt.emit("error", e);
      return;
    }
    sock = s;
    mqtt.tlsSocket = s;
    s.on("error", function (e: any) {
      if (s !== sock) return;
      // The key check of a key file without its public key ends after tls.connect returned
      // (tls/options.ts): an option error all the same, which retrying does not cure.
      if (e && (e.code === "KEY_CERT_MISMATCH" || e.code === "BAD_KEY")) stopped = true;
      mqtt.emit("error", e);
    });
    s.on("close", function () {
      if (s !== sock) return;
      sock = null;
      // The module listens for "end" only; a socket that closed without one (TCP reset, an
      // alert) must still end its session. _scktClosed() emits "disconnected" once.
      if (mqtt.connected) mqtt._scktClosed();
      schedule();
    });
  }

  mqtt.on("connected", function () { delay = min; });
  // disconnect() by the application (connected) also stops reconnecting; the module calls it
  // itself when CONNACK does not come in time (not connected), which is a drop to retry.
  // stop() always stops.
  const disconnect = mqtt.disconnect;
  function stop(): void {
    stopped = true;
    if (retry) { clearTimeout(retry); retry = null; }
  }
  mqtt.disconnect = function () {
    if (mqtt.connected) stop();
    disconnect.call(mqtt);
  };
  mqtt.stop = function () {
    stop();
    disconnect.call(mqtt);
    if (sock) { const s = sock; sock = null; s.end(); }
  };
  setTimeout(dial, 0);
  return mqtt;
}
