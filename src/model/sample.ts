import type { Dto } from './dto.js';
import { membersOf, type MemberType } from './members.js';

/**
 * The example instance ServiceStack's metadata pages show: "String" for strings, false, 0, the first
 * enum value, and one item in every collection.
 */
export function sampleOf(dto: Dto): Record<string, unknown> {
  const sample: Record<string, unknown> = {};
  for (const member of membersOf(dto)) sample[member.key] = sampleValue(member.type);
  return sample;
}

function sampleValue(type: MemberType): unknown {
  switch (type.kind) {
    case 'string':
      return 'String';
    case 'bool':
      return false;
    case 'int':
      return 0;
    case 'enum':
      return type.def.values[0];
    case 'dto':
      return sampleOf(type.dto);
    case 'list':
      return [sampleValue(type.item)];
    case 'dictionary':
      return { String: 'String' };
  }
}
