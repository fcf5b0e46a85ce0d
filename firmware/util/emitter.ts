// Events for our sockets and requests, shaped like Espruino's (on, emit, removeAllListeners).
// emit is asynchronous, as on the interpreter: a listener never runs inside the network's data
// handler, where opening a new connection crashes the interpreter (FACTS §6).

export class Emitter {
  private ls: { [ev: string]: ((a?: any, b?: any) => void)[] };
  constructor() { this.ls = {}; }
  on(ev: string, fn: (a?: any, b?: any) => void): this {
    (this.ls[ev] || (this.ls[ev] = [])).push(fn);
    return this;
  }
  removeAllListeners(ev?: string): void {
    if (ev === undefined) this.ls = {}; else delete this.ls[ev];
  }
  emit(ev: string, a?: any, b?: any): void {
    const self = this;
    setTimeout(function () { self.emitNow(ev, a, b); }, 0);
  }
  emitNow(ev: string, a?: any, b?: any): void {
    const l = this.ls[ev];
    if (!l) return;
    const copy = l.slice();
    for (let i = 0; i < copy.length; i++) copy[i].call(this, a, b);
  }
}
