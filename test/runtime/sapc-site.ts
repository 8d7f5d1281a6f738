/** Test fixture: a one-appliance site on a `type: sapc` connection (device ev1, slot 1, SAPC profile). */
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

/** The mapping text; `conn` is the inside of the connection's flow mapping without `type` and `slots`. */
export function sapcSiteYaml(conn: string, slot = '', tail = 'controls:\n  - { device: ev1, name: SAPCLevel, default: 100 }\n'): string {
  return `mapping: 1
site: { id: lab }
profileDirs: [${JSON.stringify(join(root, 'device-profiles'))}]
connections:
  sapc: { type: sapc, ${conn}, slots: [{ slot: 1, direction: import, device: ev1${slot} }] }
devices:
  - { id: ev1, connection: sapc, profile: sapc-appliance }
${tail}`;
}
