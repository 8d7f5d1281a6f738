/**
 * Which Node-RED the node tests load. Default: the dev dependency (`require.resolve('node-red')`). Set
 * `GRIDBRIDGE_NODE_RED` to a node-red package directory to test against another release (scripts/nr5.mjs sets it
 * to a Node-RED 5 install). `src/runtime/nodered.ts` honours the same variable for the embedded editor.
 */
import { resolve } from 'node:path';

const dir = process.env.GRIDBRIDGE_NODE_RED;

/** Path of the node-red main module, as `helper.init()` wants it. */
export const nodeRedPath: string = dir ? require.resolve(resolve(dir)) : require.resolve('node-red');

/**
 * `helper.init(nodeRedPath)`, checked. node-red-node-test-helper initialises itself from `require.resolve('node-red')`
 * when first loaded and only logs a failing `init()`, so a broken Node-RED would silently be tested as the default one.
 */
export function initNodeRed(helper: { init(path: string): void }): void {
  helper.init(nodeRedPath);
  if ((helper as { _RED?: unknown })._RED !== require(nodeRedPath)) {
    throw new Error(`node-red-node-test-helper did not load Node-RED from ${nodeRedPath} (see the error logged above)`);
  }
}
