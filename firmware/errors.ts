// Typed errors. The interpreter loses `message` on Error subclasses and has no `name`
// (FACTS §2), so errors are plain objects of our own class carrying a stable code.

export class EtError {
  code: string;
  message: string;
  /** Extra facts for the user: which certificate, which alert, which limit. */
  detail: any;
  constructor(code: string, message: string, detail?: any) {
    this.code = code;
    this.message = message;
    this.detail = detail;
  }
  toString(): string {
    return this.code + ": " + this.message;
  }
}

export function fail(code: string, message: string, detail?: any): never {
  throw new EtError(code, message, detail);
}
