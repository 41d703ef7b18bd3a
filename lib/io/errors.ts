/**
 * Error texts of the safetensors reader: every message starts with `safetensors file <source>:`
 * and names the tensor when there is one. Files that are PyTorch's own checkpoints (torch.save)
 * get a hint on how to convert them.
 */

export function prefix(source: string): string {
  return `safetensors file ${source}`;
}

export function fail(source: string, detail: string, tensor?: string): Error {
  const where = tensor === undefined ? '' : ` tensor ${JSON.stringify(clip(tensor))}:`;
  return new Error(`${prefix(source)}:${where} ${detail}`);
}

/** Text from a file, cut short for a message (a hostile header can hold 100 MB in one value). */
export function clip(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * torch.save writes a zip of pickles (`PK\x03\x04`, PyTorch >= 1.6) or, with the legacy format,
 * a bare pickle (0x80 then the protocol, 2 to 5). Read as safetensors, either gives an absurd
 * header length, so that error carries this hint.
 */
export function torchCheckpointHint(bytes: Uint8Array, source: string): string {
  const zip = bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  const pickle = bytes.length >= 2 && bytes[0] === 0x80 && bytes[1] >= 2 && bytes[1] <= 5;
  if (!zip && !pickle) return '';
  const name = source === '<buffer>' ? 'model.pth' : source;
  return (
    `. This looks like a PyTorch pickle${zip ? '/zip' : ''} checkpoint (torch.save's format, .pt/.pth), not safetensors; ` +
    'tensornode reads safetensors files. Convert it once in Python: ' +
    `import torch; from safetensors.torch import save_file; save_file(torch.load(${JSON.stringify(name)}, map_location="cpu"), "model.safetensors") ` +
    '(for a whole pickled model, save_file(model.state_dict(), "model.safetensors"))'
  );
}
