// Globals of the Espruino interpreter that firmware uses (types only; see FACTS.md).
declare function setTimeout(fn: () => void, ms?: number): any;
declare function clearTimeout(h: any): void;
declare function setInterval(fn: () => void, ms?: number): any;
declare function clearInterval(h: any): void;
declare function print(...args: any[]): void;
