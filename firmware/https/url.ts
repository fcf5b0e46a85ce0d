// URLs for the HTTPS client: https://host[:port][/path][?query]. Parsed by hand (the
// interpreter's regular expressions are unreliable, FACTS §2).
import { EtError } from "../errors";

export interface Url {
  host: string;
  port: number;
  path: string;
}

export function parseUrl(url: string): Url {
  if (url.substr(0, 8).toLowerCase() !== "https://") {
    throw new EtError("HTTPS_BAD_URL", "only https:// URLs are supported (never plain http for a verified request): " + url);
  }
  let rest = url.substr(8);
  let slash = rest.indexOf("/");
  const q = rest.indexOf("?");
  if (q >= 0 && (slash < 0 || q < slash)) slash = q;
  const authority = slash < 0 ? rest : rest.substr(0, slash);
  let path = slash < 0 ? "/" : rest.substr(slash);
  if (path.charAt(0) === "?") path = "/" + path;
  if (authority.indexOf("@") >= 0) throw new EtError("HTTPS_BAD_URL", "user info in URLs is not supported: " + url);
  let host = authority, port = 443;
  if (authority.charAt(0) === "[") {
    const e = authority.indexOf("]");
    if (e < 0) throw new EtError("HTTPS_BAD_URL", "unterminated IPv6 address: " + url);
    host = authority.substr(1, e - 1);
    rest = authority.substr(e + 1);
    if (rest.length) {
      if (rest.charAt(0) !== ":") throw new EtError("HTTPS_BAD_URL", "bad port: " + url);
      port = parsePort(rest.substr(1), url);
    }
  } else {
    const c = authority.lastIndexOf(":");
    if (c >= 0) { host = authority.substr(0, c); port = parsePort(authority.substr(c + 1), url); }
  }
  if (!host.length) throw new EtError("HTTPS_BAD_URL", "no host: " + url);
  return { host: host, port: port, path: path };
}

function parsePort(s: string, url: string): number {
  const p = parseInt(s, 10);
  if (!(p > 0 && p < 65536) || String(p) !== s) throw new EtError("HTTPS_BAD_URL", "bad port: " + url);
  return p;
}

/** Resolves a redirect Location against the request it answers. */
export function resolveLocation(base: Url, loc: string): Url {
  if (loc.substr(0, 8).toLowerCase() === "https://") return parseUrl(loc);
  if (loc.indexOf("://") >= 0) throw new EtError("HTTPS_BAD_REDIRECT", "redirect away from https: " + loc);
  if (loc.substr(0, 2) === "//") return parseUrl("https:" + loc);
  if (loc.charAt(0) === "/") return { host: base.host, port: base.port, path: loc };
  const dir = base.path.substr(0, base.path.lastIndexOf("/") + 1);
  return { host: base.host, port: base.port, path: dir + loc };
}
