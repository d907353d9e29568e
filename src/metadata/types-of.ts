import type { Dto, EnumDef } from '../model/dto.js';
import { type MemberType } from '../model/members.js';
import { membersOf } from '../model/members.js';

export type TypeEntry = { readonly kind: 'dto'; readonly dto: Dto } | { readonly kind: 'enum'; readonly def: EnumDef };

/**
 * The types an operation's page documents, in ServiceStack's order: request, response, then depth
 * first — a type, its base class, then the types of its own members in declaration order.
 */
export function typesOf(roots: readonly Dto[]): TypeEntry[] {
  const seen = new Set<string>();
  const out: TypeEntry[] = [];
  const visitType = (type: MemberType) => {
    if (type.kind === 'list') visitType(type.item);
    else if (type.kind === 'dto') visitDto(type.dto);
    else if (type.kind === 'enum' && !seen.has(type.def.name)) {
      seen.add(type.def.name);
      out.push({ kind: 'enum', def: type.def });
    }
  };
  const visitDto = (dto: Dto) => {
    if (seen.has(dto.meta.name)) return;
    seen.add(dto.meta.name);
    out.push({ kind: 'dto', dto });
    if (dto.meta.base) visitDto(dto.meta.base);
    const own = new Set(dto.ownKeys);
    for (const member of membersOf(dto)) if (own.has(member.key)) visitType(member.type);
  };
  roots.forEach(visitDto);
  return out;
}
