// What must happen when the active CA store changes (an update switched slots, or a roll-back):
// caches built on the old anchors are dropped. The TLS layer's verified-chain cache registers
// here (onCaStoreSwitch(clear)); applications may too (ota.onSwitch).

const listeners: ((why: string) => void)[] = [];

/** Calls fn(why) after every switch of the active CA store ("update" or "rollback"). */
export function onCaStoreSwitch(fn: (why: string) => void): void {
  if (listeners.indexOf(fn) < 0) listeners.push(fn);
}

/** Runs the listeners; one that throws does not stop the others. */
export function caStoreSwitched(why: string): void {
  for (let i = 0; i < listeners.length; i++) {
    try { listeners[i](why); } catch (e) { /* a listener's failure is its own */ }
  }
}
