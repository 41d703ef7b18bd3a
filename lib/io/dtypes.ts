/**
 * The safetensors dtype table: names in the order of safetensors' `Dtype` enum (increasing
 * alignment, which is the order save_file sorts by, descending), with their size in bits.
 */

export type SafetensorsDtype =
  | 'BOOL' | 'U8' | 'I8' | 'I16' | 'U16' | 'F16' | 'BF16' | 'I32' | 'U32' | 'F32' | 'F64' | 'I64' | 'U64'
  | 'F4' | 'F6_E2M3' | 'F6_E3M2' | 'F8_E5M2' | 'F8_E4M3' | 'F8_E8M0' | 'F8_E4M3FNUZ' | 'F8_E5M2FNUZ' | 'C64';

export const DTYPE_ORDER: ReadonlyArray<readonly [SafetensorsDtype, number]> = [
  ['BOOL', 8], ['F4', 4], ['F6_E2M3', 6], ['F6_E3M2', 6], ['U8', 8], ['I8', 8],
  ['F8_E5M2', 8], ['F8_E4M3', 8], ['F8_E8M0', 8], ['F8_E4M3FNUZ', 8], ['F8_E5M2FNUZ', 8],
  ['I16', 16], ['U16', 16], ['F16', 16], ['BF16', 16], ['I32', 32], ['U32', 32], ['F32', 32],
  ['C64', 64], ['F64', 64], ['I64', 64], ['U64', 64],
];

/** Position of each dtype name in DTYPE_ORDER (its rank for the writer's sort). */
export const DTYPE_RANK: ReadonlyMap<string, number> = new Map(DTYPE_ORDER.map(([d], i) => [d, i]));

/** Dtypes the reader converts (to float32 or int32); the others are recognised and refused. */
export const READABLE: ReadonlySet<string> = new Set(['BOOL', 'U8', 'I8', 'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'F64', 'I64', 'U64']);

export const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export function dtypeName(rank: number): SafetensorsDtype {
  return DTYPE_ORDER[rank][0];
}

export function dtypeBits(rank: number): number {
  return DTYPE_ORDER[rank][1];
}
