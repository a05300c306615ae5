// Jenkins label expressions (&&, ||, !, parentheses, quoted atoms), enough
// to say which SlavePools serve a Pipeline's builds. An expression with
// -> or <-> is not parsed here: matches then answers null (unknown).
export function matches(expr, labels) {
  if (!expr || !expr.trim()) return true;
  if (/->/.test(expr)) return null;
  const toks = expr.match(/"[^"]*"|&&|\|\||!|\(|\)|[^\s()!&|"]+/g) || [];
  let i = 0;
  const set = new Set(labels);
  const or = () => { let v = and(); while (toks[i] === '||') { i++; const r = and(); v = v || r; } return v; };
  const and = () => { let v = not(); while (toks[i] === '&&') { i++; const r = not(); v = v && r; } return v; };
  const not = () => { if (toks[i] === '!') { i++; return !not(); } return atom(); };
  const atom = () => {
    const t = toks[i++];
    if (t === '(') { const v = or(); if (toks[i++] !== ')') throw new Error('unbalanced'); return v; }
    if (t === undefined || ['&&', '||', ')'].includes(t)) throw new Error('unexpected ' + t);
    return set.has(t.replace(/^"|"$/g, ''));
  };
  try {
    const v = or();
    return i === toks.length ? v : null;
  } catch {
    return null;
  }
}
