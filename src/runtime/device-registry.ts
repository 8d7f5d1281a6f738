/**
 * Devices known in this process by site device id, so a write or command that names a device (MQTT `…/set`,
 * 2030.5 controls, arbiter output) finds its driver. Node-RED device config nodes and the site runtime register here.
 */
import type { PointValue } from '../core/point.js';

export interface WritableDevice {
  readonly id: string;
  write(name: string, value: PointValue, opts?: { verify?: boolean }): Promise<{ ok: boolean; reason?: string; failure?: string; value: PointValue }>;
}

const devices = new Map<string, WritableDevice>();

export function registerDevice(d: WritableDevice): () => void {
  devices.set(d.id, d);
  return () => {
    if (devices.get(d.id) === d) devices.delete(d.id);
  };
}

export function findDevice(id: string): WritableDevice | undefined {
  return devices.get(id);
}

export function knownDevices(): string[] {
  return [...devices.keys()].sort();
}
