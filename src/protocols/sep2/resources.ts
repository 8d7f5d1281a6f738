/** Every resource model by root element name (for generic parsing, golden tests and the test server). */
import { DeviceCapabilityResource } from './deviceCapability.js';
import { TimeResource } from './time.js';
import { EndDeviceListResource, EndDeviceResource } from './endDevice.js';
import { RegistrationResource } from './registration.js';
import { FunctionSetAssignmentsListResource, FunctionSetAssignmentsResource } from './functionSetAssignments.js';
import { DERProgramListResource, DERProgramResource } from './derProgram.js';
import { DERControlListResource, DERControlResource, DefaultDERControlResource } from './derControl.js';
import { DERCurveListResource, DERCurveResource } from './derCurve.js';
import { DERListResource, DERResource } from './der.js';
import { DERCapabilityResource } from './derCapability.js';
import { DERSettingsResource } from './derSettings.js';
import { DERStatusResource } from './derStatus.js';
import { DERAvailabilityResource } from './derAvailability.js';
import { MirrorUsagePointListResource, MirrorUsagePointResource } from './mirrorUsagePoint.js';
import { MirrorMeterReadingListResource, MirrorMeterReadingResource } from './mirrorMeterReading.js';
import { DERControlResponseResource, ResponseResource } from './response.js';
import type { Sep2Resource } from './xml.js';
import type { z } from 'zod';

export const RESOURCES: Record<string, Sep2Resource<z.ZodType>> = Object.fromEntries(
  [
    DeviceCapabilityResource,
    TimeResource,
    EndDeviceResource,
    EndDeviceListResource,
    RegistrationResource,
    FunctionSetAssignmentsResource,
    FunctionSetAssignmentsListResource,
    DERProgramResource,
    DERProgramListResource,
    DERControlResource,
    DERControlListResource,
    DefaultDERControlResource,
    DERCurveResource,
    DERCurveListResource,
    DERResource,
    DERListResource,
    DERCapabilityResource,
    DERSettingsResource,
    DERStatusResource,
    DERAvailabilityResource,
    MirrorUsagePointResource,
    MirrorUsagePointListResource,
    MirrorMeterReadingResource,
    MirrorMeterReadingListResource,
    ResponseResource,
    DERControlResponseResource,
  ].map((r) => [r.name, r as unknown as Sep2Resource<z.ZodType>]),
);
