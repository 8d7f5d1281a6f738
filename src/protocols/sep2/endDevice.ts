/** EndDevice and EndDeviceList (AbstractDevice elements first, then EndDevice's, sep.xsd 2018). */
import { z } from 'zod';
import { resource } from './xml.js';
import { Bool, HexBinary160, HexBinary32, Link, ListLink, TimeType, UInt32, UInt40, list, subscribableAttrs, subscribableListAttrs } from './primitives.js';

export const EndDeviceSchema = z.object({
  ...subscribableAttrs,
  ConfigurationLink: Link.optional(),
  DERListLink: ListLink.optional(),
  deviceCategory: HexBinary32.optional(),
  DeviceInformationLink: Link.optional(),
  DeviceStatusLink: Link.optional(),
  FileStatusLink: Link.optional(),
  IPInterfaceListLink: ListLink.optional(),
  lFDI: HexBinary160.optional(),
  LoadShedAvailabilityListLink: ListLink.optional(),
  LogEventListLink: ListLink.optional(),
  PowerStatusLink: Link.optional(),
  sFDI: UInt40,
  changedTime: TimeType.optional(),
  enabled: Bool.optional(),
  FlowReservationRequestListLink: ListLink.optional(),
  FlowReservationResponseListLink: ListLink.optional(),
  FunctionSetAssignmentsListLink: ListLink.optional(),
  postRate: UInt32.optional(),
  RegistrationLink: Link.optional(),
  SubscriptionListLink: ListLink.optional(),
});
export type EndDevice = z.output<typeof EndDeviceSchema>;
export const EndDeviceResource = resource('EndDevice', EndDeviceSchema);
export const parseEndDevice = EndDeviceResource.parse;
export const serializeEndDevice = EndDeviceResource.serialize;

export const EndDeviceListSchema = z.object({
  ...subscribableListAttrs,
  pollRate: UInt32.optional(),
  EndDevice: list(EndDeviceSchema),
});
export type EndDeviceList = z.output<typeof EndDeviceListSchema>;
export const EndDeviceListResource = resource('EndDeviceList', EndDeviceListSchema);
export const parseEndDeviceList = EndDeviceListResource.parse;
export const serializeEndDeviceList = EndDeviceListResource.serialize;
