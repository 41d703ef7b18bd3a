/** File formats: safetensors (byte-compatible with safetensors.torch.save_file / load_file). */
export {
  encodeSafetensors,
  decodeSafetensors,
  saveFile,
  saveFileSync,
  loadFile,
  loadFileSync,
  MAX_HEADER_SIZE,
  MAX_METADATA_ENTRIES,
} from './safetensors';
export type { SafetensorsDtype, RawTensor, DecodedSafetensors } from './safetensors';
