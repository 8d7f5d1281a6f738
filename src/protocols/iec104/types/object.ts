/**
 * The decoded form of one information object. One flat shape for every type keeps the codec table-driven; the
 * fields a type uses are listed beside each element codec in ./elements.ts.
 */
import type { Cp56Time } from '../cp56time.js';
import type { Qds } from '../quality.js';

export interface InfoObject {
  /** Information object address, 0..16 777 215 (3 octets). */
  ioa: number;
  /**
   * Single point/command: boolean. Double point/command: 0..3 (1 = off, 2 = on). Step position: -64..63.
   * Bitstring: unsigned 32-bit. Normalized: -1 .. 1-2^-15. Scaled: int16. Float: float32. Counter: int32.
   * Regulating step: 0..3 (1 = lower, 2 = higher). M_EI: cause of initialization. M_EP: event state 0..3.
   * C_TS_TA: test sequence counter.
   */
  value?: number | boolean;
  quality?: Qds;
  /** CP56Time2a time tag (TB/TD/TE/TF/TA types, C_CS clock, C_TS test). */
  time?: Cp56Time;
  /** M_ST: transient state. */
  transient?: boolean;
  /** M_IT: sequence number 0..31, carry (CY), counter adjusted (CA); IV is `quality.iv`. */
  sequence?: number;
  carry?: boolean;
  adjusted?: boolean;
  /** Commands: select (S/E = 1) or execute (S/E = 0). */
  select?: boolean;
  /** QU of SCO/DCO/RCO (0..31), QL of QOS (0..127), QOI of C_IC, RQT of C_CI, QRP of C_RP. */
  qualifier?: number;
  /** C_CI: FRZ 0..3 (0 read, 1 freeze, 2 freeze and reset, 3 reset). */
  freeze?: number;
  /** M_EI: initialization after a change of local parameters (COI bit 7). */
  localChange?: boolean;
  /** M_EP_TD: elapsed time CP16Time2a in ms. */
  elapsed?: number;
}
