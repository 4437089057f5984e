/**
 * The small subset of XML that PARS's web-service messages use (docs/pars-assumptions.md A-2):
 * elements, text and nesting; no attributes are read, no namespaces are interpreted (a
 * prefix is dropped), no DTDs. Written for both sides of the wire: the adapter and the
 * simulator. Anything else is refused with a reason, never guessed at.
 */

export interface XmlElement {
  name: string;
  /** The element's own text (trimmed), '' when it has children only. */
  text: string;
  children: XmlElement[];
}

/** A message to write: a leaf's value, a nested element, or a repeated element. */
export type XmlValue = string | number | undefined | XmlFields | XmlFields[];
export interface XmlFields {
  [name: string]: XmlValue;
}

export class XmlSyntaxError extends Error {
  override readonly name = 'XmlSyntaxError';
}

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
};

export const escapeXml = (text: string): string =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');

function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number.parseInt(entity.slice(1), 10));
    const known = ENTITIES[entity];
    if (known === undefined) throw new XmlSyntaxError(`unknown entity ${whole}`);
    return known;
  });
}

/** `<root>…</root>` with the fields in order; undefined fields are left out. */
export function toXml(root: string, fields: XmlFields): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${element(root, fields)}\n`;
}

function element(name: string, value: XmlValue): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.map((item) => element(name, item)).join('');
  if (typeof value === 'object') {
    const inner = Object.entries(value)
      .map(([child, childValue]) => element(child, childValue))
      .join('');
    return `<${name}>${inner}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

const localName = (qualified: string): string => qualified.slice(qualified.indexOf(':') + 1);

/** Parses one document into its root element; throws `XmlSyntaxError` naming what is wrong. */
export function parseXml(text: string): XmlElement {
  const source = text.replace(/^\uFEFF/, '').replace(/<\?xml[^?]*\?>/, '');
  if (/<!DOCTYPE|<!ENTITY/i.test(source)) throw new XmlSyntaxError('DTDs are not accepted');
  const tag = /<(\/?)([A-Za-z_][\w.:-]*)(?:\s[^<>]*?)?(\/?)>|<!--[\s\S]*?-->/g;
  const stack: { element: XmlElement; text: string[] }[] = [];
  let root: XmlElement | undefined;
  let last = 0;
  for (let match = tag.exec(source); match !== null; match = tag.exec(source)) {
    const between = source.slice(last, match.index);
    last = tag.lastIndex;
    const open = stack[stack.length - 1];
    if (open !== undefined) open.text.push(between);
    else if (between.trim() !== '') throw new XmlSyntaxError('text outside the root element');
    if (match[0].startsWith('<!--')) continue;
    const [, closing, rawName = '', selfClosing] = match;
    const name = localName(rawName);
    if (closing === '/') {
      const done = stack.pop();
      if (done === undefined || done.element.name !== name) {
        throw new XmlSyntaxError(`</${name}> closes nothing open`);
      }
      done.element.text = unescapeXml(done.text.join('')).trim();
      if (stack.length === 0) root = done.element;
      continue;
    }
    if (root !== undefined) throw new XmlSyntaxError('more than one root element');
    const created: XmlElement = { name, text: '', children: [] };
    stack[stack.length - 1]?.element.children.push(created);
    if (selfClosing === '/') {
      if (stack.length === 0) root = created;
      continue;
    }
    stack.push({ element: created, text: [] });
  }
  if (source.slice(last).trim() !== '') throw new XmlSyntaxError('text after the root element');
  if (stack.length > 0)
    throw new XmlSyntaxError(`<${stack[stack.length - 1]?.element.name}> is not closed`);
  if (root === undefined) throw new XmlSyntaxError('no element');
  return root;
}

/** The text of the first child named `name`, undefined when there is none or it is empty. */
export function childText(parent: XmlElement, name: string): string | undefined {
  const text = parent.children.find((child) => child.name === name)?.text;
  return text === undefined || text === '' ? undefined : text;
}

export const childrenNamed = (parent: XmlElement, name: string): XmlElement[] =>
  parent.children.filter((child) => child.name === name);

export const childNamed = (parent: XmlElement, name: string): XmlElement | undefined =>
  parent.children.find((child) => child.name === name);
