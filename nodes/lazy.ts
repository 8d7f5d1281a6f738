/**
 * Node-RED requires every node file of an installed module at start-up, whether or not a flow uses its types. So that
 * an unused protocol costs nothing, the build (scripts/lazy-nodes.mjs) turns each node file's `require` of a src/
 * module or of a package into `lazyModule(...)`: the module is loaded when the node first uses one of its exports
 * (normally in a node constructor, i.e. on deploy), not when Node-RED loads the node file. Tests run the TypeScript
 * sources unchanged; test/nodes/lazy-load.test.ts checks the built files in a Node-RED runtime.
 */
export function lazyModule<T extends object>(load: () => T, names: readonly string[]): T {
  let mod: T | undefined;
  const out: Record<string, unknown> = {};
  for (const name of names) {
    Object.defineProperty(out, name, {
      enumerable: true,
      get: () => (mod ??= load())[name as keyof T],
    });
  }
  return out as T;
}
