// Writes the hostile and large-but-legal safetensors files that bench/io/parse.js measures:
//   meta_keys.safetensors     99 MB header: __metadata__ with ~9 M distinct keys, empty values
//   meta_dup.safetensors      99 MB header: __metadata__ with ~12 M empty keys "" (duplicates)
//   empty_tensors.safetensors 99.9 MB header: 1.67 M empty F32 tensors (a legal file)
//   header_10mb.safetensors   10 MB header: 160 k small F32 tensors with data (a legal file)
//   small.safetensors         the lecture MLP 4->5->6->3 (6 tensors, 720 bytes)
// Usage: node bench/io/make_hostile.js <dir>
'use strict';
const fs = require('fs');
const path = require('path');

const dir = process.argv[2];
if (!dir) throw new Error('usage: node bench/io/make_hostile.js <dir>');
fs.mkdirSync(dir, { recursive: true });

function write(name, headerParts, open, close, data = Buffer.alloc(0)) {
  let body = open + headerParts.join(',') + close;
  body += ' '.repeat((8 - (Buffer.byteLength(body) % 8)) % 8);
  const h = Buffer.from(body);
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(h.length));
  fs.writeFileSync(path.join(dir, name), Buffer.concat([prefix, h, data]));
  console.log(`${name}: header ${h.length} bytes, data ${data.length} bytes`);
}

const LIMIT = 99_000_000;
{
  const parts = [];
  let size = 20;
  for (let i = 0; size < LIMIT; i++) { const p = `"k${i}":""`; parts.push(p); size += p.length + 1; }
  write('meta_keys.safetensors', parts, '{"__metadata__":{', '}}');
}
{
  const n = Math.floor((LIMIT - 20) / 6);
  write('meta_dup.safetensors', new Array(n).fill('"":""'), '{"__metadata__":{', '}}');
}
{
  const parts = [];
  let size = 2;
  for (let i = 0; ; i++) {
    const p = `"t${i}":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}`;
    if (size + p.length + 1 > 99_999_990) break;
    parts.push(p); size += p.length + 1;
  }
  write('empty_tensors.safetensors', parts, '{', '}');
}
{
  const parts = [];
  let off = 0;
  let size = 2;
  for (let i = 0; size < 10_000_000; i++) {
    const p = `"layer${i}.weight":{"dtype":"F32","shape":[2],"data_offsets":[${off},${off + 8}]}`;
    parts.push(p); size += p.length + 1; off += 8;
  }
  const data = Buffer.alloc(off);
  for (let i = 0; i < off / 4; i++) data.writeFloatLE(Math.sin(i), 4 * i);
  write('header_10mb.safetensors', parts, '{', '}', data);
}
{
  const shapes = [['0.bias', [5]], ['0.weight', [5, 4]], ['2.bias', [6]], ['2.weight', [6, 5]], ['4.bias', [3]], ['4.weight', [3, 6]]];
  const parts = [];
  let off = 0;
  for (const [name, shape] of shapes) {
    const n = shape.reduce((a, b) => a * b, 1) * 4;
    parts.push(`"${name}":{"dtype":"F32","shape":[${shape.join(',')}],"data_offsets":[${off},${off + n}]}`);
    off += n;
  }
  const data = Buffer.alloc(off);
  for (let i = 0; i < off / 4; i++) data.writeFloatLE(Math.cos(i), 4 * i);
  write('small.safetensors', parts, '{', '}', data);
}
