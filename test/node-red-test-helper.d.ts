// node-red-node-test-helper ships no types; the tests use a small part of it.
declare module 'node-red-node-test-helper' {
  interface TestNode {
    receive(msg: Record<string, unknown>): void;
    on(event: string, fn: (...args: any[]) => void): void;
    [key: string]: any;
  }
  const helper: {
    init(nodeRedPath: string, settings?: Record<string, unknown>): void;
    load(nodes: unknown, flow: object[], credentials?: Record<string, unknown>): Promise<void>;
    unload(): Promise<void>;
    getNode(id: string): TestNode;
    startServer(): Promise<void>;
    url(): string;
    /** supertest agent on the admin app */
    request(): any;
    stopServer(): Promise<void>;
    settings(s: Record<string, unknown>): void;
    /** supertest agent on the admin API */
    request(): any;
  };
  export default helper;
}
