/** DeviceCapability (`/dcap`): the discovery root. Element order: FunctionSetAssignmentsBase then own (sep.xsd 2018). */
import { z } from 'zod';
import { resource } from './xml.js';
import { Link, ListLink, UInt32, resourceAttrs } from './primitives.js';

/** FunctionSetAssignmentsBase links in XSD order (shared with FunctionSetAssignments). */
export const fsaBaseLinks = {
  CustomerAccountListLink: ListLink.optional(),
  DemandResponseProgramListLink: ListLink.optional(),
  DERProgramListLink: ListLink.optional(),
  FileListLink: ListLink.optional(),
  MessagingProgramListLink: ListLink.optional(),
  PrepaymentListLink: ListLink.optional(),
  ResponseSetListLink: ListLink.optional(),
  TariffProfileListLink: ListLink.optional(),
  TimeLink: Link.optional(),
  UsagePointListLink: ListLink.optional(),
};

export const DeviceCapabilitySchema = z.object({
  ...resourceAttrs,
  pollRate: UInt32.optional(),
  ...fsaBaseLinks,
  EndDeviceListLink: ListLink.optional(),
  MirrorUsagePointListLink: ListLink.optional(),
  SelfDeviceLink: Link.optional(),
});
export type DeviceCapability = z.output<typeof DeviceCapabilitySchema>;
export const DeviceCapabilityResource = resource('DeviceCapability', DeviceCapabilitySchema);
export const parseDeviceCapability = DeviceCapabilityResource.parse;
export const serializeDeviceCapability = DeviceCapabilityResource.serialize;
