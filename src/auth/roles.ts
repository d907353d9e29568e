import { ROLES, type Role } from '../http/operation.js';

/** Reads a stored JSON role list, keeping only roles the contract knows. */
export function parseRoles(json: string): Role[] {
  try {
    const parsed: unknown = JSON.parse(json);
    return Array.isArray(parsed) ? ROLES.filter((role) => parsed.includes(role)) : [];
  } catch {
    return [];
  }
}

/** Role names matched case-insensitively; the unknown ones are returned apart for a clear 400. */
export function readRoles(names: readonly string[]): { roles: Role[]; unknown: string[] } {
  const roles: Role[] = [];
  const unknown: string[] = [];
  for (const name of names) {
    const role = ROLES.find((r) => r.toLowerCase() === name.trim().toLowerCase());
    if (role) {
      if (!roles.includes(role)) roles.push(role);
    } else unknown.push(name);
  }
  return { roles, unknown };
}
