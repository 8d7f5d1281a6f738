import { describe, expect, it } from 'vitest';
import { parseResponse, serializeDERControlResponse, RESPONSE_STATUS } from './response.js';
import { childNames } from '../../../test/sep2/child-names.js';

describe('Response / DERControlResponse', () => {
  it('writes sep.xsd order and parses as either root name', () => {
    const v = { subject: 'AB', status: RESPONSE_STATUS.started, endDeviceLFDI: '3E4F45AB31EDFE5B67E343E5E4562E31984E23E5', createdDateTime: 10 };
    const xml = serializeDERControlResponse(v);
    expect(xml).toMatch(/^<\?xml[^>]*\?><DERControlResponse xmlns="urn:ieee:std:2030\.5:ns">/);
    expect(childNames(xml)).toEqual(['createdDateTime', 'endDeviceLFDI', 'status', 'subject']);
    expect(parseResponse(xml)).toEqual(v);
  });
  it('status codes of IEEE 2030.5 Table 27', () => {
    expect(RESPONSE_STATUS).toMatchObject({ received: 1, started: 2, completed: 3, cancelled: 6, superseded: 7, abortedProgram: 14, rejectedNotApplicable: 252, rejectedInvalid: 253, rejectedLate: 254 });
  });
});
