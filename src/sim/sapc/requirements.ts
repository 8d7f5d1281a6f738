/**
 * The numbered requirements the SAPC override rig tests, each with where it comes from. Every check of every
 * scenario names one of these; the report gives pass / fail / not tested per requirement.
 */
export interface Requirement {
  id: string;
  text: string;
  /** Source: SSP-1 section (docs/sapc-ssp1.md) and, where it carries one, the rule behind it. */
  ref: string;
}

export const REQUIREMENTS: Requirement[] = [
  { id: 'R1', text: 'Every valid request is answered (ACK or NAK), within 250 ms of its last byte', ref: 'SSP-1 §4' },
  { id: 'R2', text: 'An accepted limit takes effect: the device complies (measured power within the limit)', ref: 'SSP-1 §8; GBCS ECS47e "Limit APC level"' },
  { id: 'R3', text: 'A command ends exactly at its end time; the device returns to the next command or its default plan', ref: 'SSP-1 §8 (expiry is exact)' },
  { id: 'R4', text: 'Invalid commands are refused with the stated reason and change nothing', ref: 'SSP-1 §4.1 steps 7–9; Smart Charge Points Regulations 2021 (reject unsafe input)' },
  { id: 'R5', text: 'A retransmission is answered again but applied once', ref: 'SSP-1 §4.1 step 6' },
  { id: 'R6', text: 'Corrupted input (bad CRC, line noise) is dropped and never answered; valid frames after it still work', ref: 'SSP-1 §4.1 steps 1–3' },
  { id: 'R7', text: 'A random delay is drawn once, within its maximum; an already randomised command applies at once', ref: 'SSP-1 §8; Smart Charge Points Regulations 2021 (randomised delay)' },
  { id: 'R8', text: 'A cancelled command stops applying; the device returns to its default plan', ref: 'SSP-1 §5.2' },
  { id: 'R9', text: 'Overlapping commands: limits combine by minimum, setpoints by source rank, the load controller outranks supplier and aggregator', ref: 'SSP-1 §8' },
  { id: 'R10', text: 'Link loss: accepted commands run to their end and are never extended, then the default plan applies', ref: 'SSP-1 §4.3' },
  { id: 'R11', text: 'After an appliance restart with an override in force, the override is in force again', ref: 'SSP-1 §4.2' },
  { id: 'R12', text: 'Windows up to 48 h are accepted and held to their end; longer ones are refused', ref: 'SSP-1 §4.1 step 8 (version 1.1)' },
  { id: 'R13', text: 'An emergency cease-to-energise (src=EMG, lvl=0) takes precedence over every other source', ref: 'SSP-1 §8 (version 1.1)' },
  { id: 'R14', text: "The appliance's plans reach the meter, complete and in order", ref: 'SSP-1 §5.8 (version 1.1); SAPC report, Proposal 2' },
  { id: 'R15', text: 'Several appliances behind one SAPC node are controlled independently, one slot each', ref: 'SSP-1 §1 (version 1.1); SAPC report, UC2' },
];
