// MQTT topic filters, as MQTT 3.1.1 and 5 define them: `+` one level, `#` the rest, and a topic
// that starts with `$` is not matched by a wildcard in the first level. One matcher for the local
// broker's ACL, the device router and the hub.

/** Does a topic filter match a concrete topic name? */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  if (topic.startsWith('$') && (f[0] === '+' || f[0] === '#')) return false;
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/** Is every topic the `requested` filter can match also matched by `allowed`? */
export function filterCovers(allowed: string, requested: string): boolean {
  const a = allowed.split('/');
  const r = requested.split('/');
  if (requested.startsWith('$') && (a[0] === '+' || a[0] === '#')) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === '#') return true;
    if (i >= r.length) return false;
    if (r[i] === '#') return false;
    if (a[i] !== '+' && (r[i] === '+' || a[i] !== r[i])) return false;
  }
  return a.length === r.length;
}
