// By its tag, not its prototype: an object parsed in another realm (a test's, a worker's) is plain too.
const isPlainObject = (value: object): boolean => Object.prototype.toString.call(value) === '[object Object]';

/** Keys in alphabetical order at every level, as gcloud prints a resource (its JSON and YAML printers sort them). */
export function sortedKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(sortedKeys) as T;
  // Anything but a plain object (a Date, a Buffer) keeps its own rendering.
  if (value === null || typeof value !== 'object' || !isPlainObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => [k, sortedKeys(v)]),
  ) as T;
}
