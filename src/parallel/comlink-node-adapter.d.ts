// Comlink 4.4.2 ships node-adapter.d.ts next to node-adapter.mjs, which NodeNext resolution does not pair with the
// .mjs file; this restates its (tiny) declaration.
declare module "comlink/dist/esm/node-adapter.mjs" {
  import type { Endpoint } from "comlink";
  export interface NodeEndpoint {
    // biome-ignore lint/suspicious/noExplicitAny: mirrors Comlink's own declaration
    postMessage(message: any, transfer?: any[]): void;
    on(type: string, listener: EventListenerOrEventListenerObject, options?: object): void;
    off(type: string, listener: EventListenerOrEventListenerObject, options?: object): void;
    start?: () => void;
  }
  export default function nodeEndpoint(nep: NodeEndpoint): Endpoint;
}
