import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { xmlNamespaceOf, type Dto, type EnumDef } from '../../src/model/dto.js';
import { contractMembersOf, type MemberType } from '../../src/model/members.js';

const run = promisify(execFile);

/**
 * Whether Mono's C# compiler and runtime are here (Debian: mono-mcs, mono-runtime and the
 * System.Runtime.Serialization assembly; `.ci/run` installs them). Tests that need .NET run when
 * they are; on CI (`CI=true`) their absence is a failure, never a silent skip.
 */
export const monoAvailable =
  spawnSync('mcs', ['--version'], { stdio: 'ignore' }).status === 0 &&
  spawnSync('mono', ['--version'], { stdio: 'ignore' }).status === 0 &&
  ['/usr/lib/mono/4.5/System.Runtime.Serialization.dll', '/usr/lib/mono/4.5/System.Xml.dll'].every((dll) => {
    try {
      readFileSync(dll);
      return true;
    } catch {
      return false;
    }
  });

export const monoRequired = process.env.CI === 'true';

/** A value for .NET's DataContractSerializer to write as its DTO. */
export interface ToWrite {
  readonly dto: Dto;
  readonly value: Record<string, unknown>;
  /**
   * Members that are `DateTime` in the .NET contract (strings in ours): their values are
   * `{ utc: Date }` or `{ unspecified: Date }`, written as DataContractSerializer writes that kind.
   */
  readonly dates?: readonly string[];
}

export interface DotnetHarness {
  /** The XML .NET writes for each of `toWrite`, in order, as ServiceStack's XmlWriter settings write it. */
  written(): Promise<string[]>;
  /**
   * .NET reads each document as its DTO (`toRead[i]`), then writes what it read back: the test
   * reads that again to see what .NET understood. Rejects with .NET's exception when one fails.
   */
  readBack(documents: readonly string[]): Promise<string[]>;
}

/**
 * C# classes generated from the DTO schemas, as "Add ServiceStack Reference" would give a .NET
 * client, compiled once with `mcs` into a program that has .NET's own DataContractSerializer write
 * `toWrite` and read documents as `toRead`. Request DTOs get nullable value types (unset members
 * stay unset); read types get .NET's plain `int`/`bool`/enums where the contract has them, so a
 * `i:nil` that .NET cannot read into a value type fails here as it would in a client.
 */
export async function dotnetHarness(toWrite: readonly ToWrite[], toRead: readonly Dto[]): Promise<DotnetHarness & { close(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-dotnet-'));
  const source = new CSharp(new Map(toWrite.filter((w) => w.dates).map((w) => [w.dto.meta.name, new Set(w.dates)])));
  const writes = toWrite.map((w) => source.literal({ kind: 'dto', dto: w.dto }, w.value, true));
  const reads = toRead.map((dto) => `typeof(${source.typeRef({ kind: 'dto', dto }, false)})`);
  writeFileSync(join(dir, 'harness.cs'), source.program(writes, reads));
  await run('mcs', ['-nologo', '-r:System.Runtime.Serialization.dll', '-r:System.Xml.dll', '-out:' + join(dir, 'harness.exe'), join(dir, 'harness.cs')]).catch((error: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });
  const mono = async (mode: string) => {
    try {
      await run('mono', [join(dir, 'harness.exe'), mode, dir]);
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr;
      throw new Error(`.NET failed: ${stderr || String(error)}`);
    }
  };
  return {
    async written() {
      await mono('write');
      return writes.map((_, i) => readFileSync(join(dir, `w${i}.xml`), 'utf8'));
    },
    async readBack(documents) {
      documents.forEach((xml, i) => writeFileSync(join(dir, `r${i}.xml`), xml));
      await mono('read');
      return documents.map((_, i) => readFileSync(join(dir, `r${i}.out.xml`), 'utf8'));
    },
    close: () => rmSync(dir, { recursive: true, force: true }),
  };
}

const SERVICESTACK_NS = 'http://schemas.servicestack.net/types';

/** Collects the classes and enums a program needs, by namespace, and spells C# for them. */
class CSharp {
  private readonly classes = new Map<string, string>();
  private readonly enums = new Map<string, string>();
  constructor(private readonly dates: ReadonlyMap<string, ReadonlySet<string>>) {}

  typeRef(type: MemberType, nullableValues: boolean): string {
    const q = nullableValues ? '?' : '';
    switch (type.kind) {
      case 'string':
        return 'string';
      case 'bool':
        return 'bool' + q;
      case 'int':
        return 'int' + q;
      case 'enum':
        return this.enumRef(type.def) + q;
      case 'dictionary':
        return 'Dictionary<string, string>';
      case 'list':
        // Items of a value type are never null in a .NET list; DTO items follow their owner.
        return `List<${this.typeRef(type.item, type.item.kind === 'dto' && nullableValues)}>`;
      case 'dto':
        return this.classRef(type.dto, nullableValues);
    }
  }

  private enumRef(def: EnumDef): string {
    const name = `global::${def.namespace}.${def.name}`;
    if (!this.enums.has(name)) {
      this.enums.set(name, `namespace ${def.namespace} { public enum ${def.name} { ${def.values.join(', ')} } }`);
    }
    return name;
  }

  private classRef(dto: Dto, nullableValues: boolean): string {
    // ListResponse<T> is the one generic contract: .NET names it ListResponseOf{T}{hash} itself.
    const generic = /^ListResponseOf(\w+)$/.exec(dto.meta.name);
    if (generic) {
      const items = contractMembersOf(dto).find((m) => m.key === 'items')!.type;
      const item = items.kind === 'list' ? this.typeRef(items.item, nullableValues) : 'object';
      this.classes.set(
        'global::Voice.Api.ListResponse',
        'namespace Voice.Api { public class ListResponse<T> { public List<T> Items { get; set; } public int TotalCount { get; set; } public int TotalPages { get; set; } public bool HasMorePages { get; set; } } }',
      );
      return `global::Voice.Api.ListResponse<${item}>`;
    }
    const suffix = nullableValues ? '' : 'Read';
    const name = `global::${dto.meta.namespace}.${dto.meta.name}${suffix}`;
    if (this.classes.has(name)) return name;
    this.classes.set(name, '');
    const ns = xmlNamespaceOf(dto.meta);
    const declared = dto.meta.memberOrder === 'declared';
    const base = dto.meta.base ? ' : ' + this.classRef(dto.meta.base, nullableValues) : '';
    const own = contractMembersOf(dto).filter((m) => m.declaredBy === dto);
    const members = own.map((m, i) => {
      const attribute = declared || suffix ? `[DataMember(Name = "${m.name}"${declared ? `, Order = ${i + 1}` : ''})] ` : '';
      const type = this.dates.get(dto.meta.name)?.has(m.key) ? 'DateTime?' : this.typeRef(m.type, nullableValues);
      return `${attribute}public ${type} ${m.name} { get; set; }`;
    });
    // Read types are named *Read (beside the nullable request-side class), so their contract name
    // and namespace are pinned to the DTO's with [DataContract].
    const contract = declared || suffix || ns === SERVICESTACK_NS ? `[DataContract(Name = "${dto.meta.name}", Namespace = "${ns}")] ` : '';
    this.classes.set(
      name,
      `namespace ${dto.meta.namespace} { ${contract}public class ${dto.meta.name}${suffix}${base} { ${members.join(' ')} } }`,
    );
    return name;
  }

  /** A C# expression constructing `value`. */
  literal(type: MemberType, value: unknown, nullableValues: boolean): string {
    switch (type.kind) {
      case 'string':
        return csString(String(value));
      case 'bool':
        return value ? 'true' : 'false';
      case 'int':
        return String(value);
      case 'enum':
        return `${this.enumRef(type.def)}.${String(value)}`;
      case 'dictionary':
        return `new Dictionary<string, string> { ${Object.entries(value as Record<string, string>)
          .map(([k, v]) => `{ ${csString(k)}, ${csString(v)} }`)
          .join(', ')} }`;
      case 'list':
        return `new ${this.typeRef(type, nullableValues)} { ${(value as unknown[]).map((item) => this.literal(type.item, item, nullableValues)).join(', ')} }`;
      case 'dto': {
        const record = value as Record<string, unknown>;
        const sets = contractMembersOf(type.dto)
          .filter((m) => record[m.key] !== undefined && record[m.key] !== null)
          .map((m) => `${m.name} = ${this.dates.get(type.dto.meta.name)?.has(m.key) ? dateTime(record[m.key]) : this.literal(m.type, record[m.key], nullableValues)}`);
        return `new ${this.typeRef(type, nullableValues)} { ${sets.join(', ')} }`;
      }
    }
  }

  program(writes: readonly string[], reads: readonly string[]): string {
    return `using System; using System.Collections.Generic; using System.IO; using System.Runtime.Serialization; using System.Text; using System.Xml;
${[...this.enums.values(), ...this.classes.values()].join('\n')}
public static class Harness {
  // ServiceStack's XmlSerializer settings (servicestack-wire.md §5): UTF-8 without a BOM, declaration, no indentation.
  static void Write(object value, Type type, string path) {
    var settings = new XmlWriterSettings { Encoding = new UTF8Encoding(false), OmitXmlDeclaration = false };
    using (var stream = File.Create(path)) using (var writer = XmlWriter.Create(stream, settings)) new DataContractSerializer(type).WriteObject(writer, value);
  }
  public static int Main(string[] args) {
    var dir = args[1];
    if (args[0] == "write") {
      var values = new object[] { ${writes.join(',\n      ')} };
      for (var i = 0; i < values.Length; i++) Write(values[i], values[i].GetType(), Path.Combine(dir, "w" + i + ".xml"));
      return 0;
    }
    var types = new Type[] { ${reads.join(', ')} };
    for (var i = 0; i < types.Length; i++) {
      var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit };
      object read;
      try {
        using (var reader = XmlReader.Create(Path.Combine(dir, "r" + i + ".xml"), settings)) read = new DataContractSerializer(types[i]).ReadObject(reader);
      } catch (Exception e) {
        Console.Error.WriteLine("document " + i + " as " + types[i].Name + ": " + e.GetType().Name + ": " + e.Message);
        return 1;
      }
      Write(read, types[i], Path.Combine(dir, "r" + i + ".out.xml"));
    }
    return 0;
  }
}
`;
  }
}

/** A C# string literal; anything outside printable ASCII as a \\u escape, so the source stays ASCII. */
function csString(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const ch = text[i]!;
    out += ch === '"' || ch === '\\' ? '\\' + ch : c >= 0x20 && c < 0x7f ? ch : '\\u' + c.toString(16).padStart(4, '0');
  }
  return out + '"';
}

/** `new DateTime(ticks, kind)` for `{ utc: Date }` or `{ unspecified: Date }`. */
function dateTime(value: unknown): string {
  const { utc, unspecified } = value as { utc?: Date; unspecified?: Date };
  const at = (utc ?? unspecified)!;
  // .NET ticks: 100 ns since 0001-01-01.
  const ticks = (BigInt(at.getTime()) + 62_135_596_800_000n) * 10_000n;
  return `new DateTime(${ticks}L, DateTimeKind.${utc ? 'Utc' : 'Unspecified'})`;
}
