#!/usr/bin/env node
// An Assistants-style API server in plain node:http, written from the contract (spec/openapi.yaml) alone.
//
// Everything is derived from the OpenAPI document loaded at start-up: the routes (paths x methods), the
// security requirements, the required parameters and their schemas, the request body's media type and
// schema (validated with Ajv, JSON Schema 2020-12, $refs resolved against the document), and the
// responses (their status codes, media types and schemas, filled from defaults and examples).
//
// It keeps state: the resources the spec describes (a collection path and an item path below it, found from
// the links of the creates' responses, else by REST convention; see "Resources" below) are created, read,
// changed, listed (paged by the list's cursor parameters) and deleted in a bounded in-memory store. An id it
// has not got is a 404, after the key, parameter and body checks.
//
// JSON is JavaScript's: JSON.parse in, JSON.stringify out (numbers are IEEE-754 doubles), which RFC 8259
// allows. Limits of its own (RFC 8259, section 9): a body of at most 8 MiB, nesting at most 512 deep, and
// no number outside the range of a double (JSON.parse would make it Infinity, which JSON.stringify writes
// as null).
//
// Usage: ASSISTANTS_API_KEY=... node server.mjs [--port 0] [--host 127.0.0.1] [--spec PATH]
// Prints "listening on http://HOST:PORT" once it accepts connections.

import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

import Ajv2020 from "ajv/dist/2020.js";
import YAML from "yaml";

const MAX_BODY_BYTES = 8 * 1024 * 1024;
const MAX_DEPTH = 512;
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const DOC_ID = "https://spec.invalid/openapi.json";
const ERROR_TYPE = "invalid_request_error";
const hasOwn = (obj, key) => Object.prototype.hasOwnProperty.call(obj, key);
const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
// An own property, whatever its name ("__proto__" included).
const setOwn = (obj, key, value) =>
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });

// ---------------------------------------------------------------------------------------------------
// Command line

function parseArgs(argv) {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const args = { port: 0, host: "127.0.0.1", spec: path.resolve(here, "../../../spec/openapi.yaml") };
  for (let i = 0; i < argv.length; i += 1) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => (inline !== undefined ? inline : argv[++i]);
    if (flag === "--port") args.port = Number(value());
    else if (flag === "--host") args.host = value();
    else if (flag === "--spec") args.spec = path.resolve(value());
    else if (flag === "--help" || flag === "-h") {
      process.stdout.write("usage: node server.mjs [--port PORT] [--host HOST] [--spec PATH]\n");
      process.exit(0);
    } else fail(`unknown argument: ${argv[i]}`);
  }
  if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) fail("--port must be 0..65535");
  return args;
}

function fail(message) {
  process.stderr.write(`server.mjs: ${message}\n`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------------
// JSON pointers and $refs of the document

const escapeToken = (s) => String(s).replace(/~/g, "~0").replace(/\//g, "~1");
// A pointer as a URI fragment ("#/a/b"), each token percent-encoded ("{" and "}" of paths are not allowed).
const child = (ptr, ...tokens) => ptr + tokens.map((t) => `/${encodeURIComponent(escapeToken(t))}`).join("");

function getPointer(doc, ptr) {
  if (typeof ptr !== "string" || !ptr.startsWith("#")) {
    throw new Error(`only local $refs are supported, not ${JSON.stringify(ptr)}`);
  }
  let node = doc;
  const body = ptr.slice(1);
  if (body === "") return node;
  for (const raw of body.split("/").slice(1)) {
    const token = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    if (node === null || typeof node !== "object" || !hasOwn(node, token)) {
      throw new Error(`$ref ${ptr} does not resolve`);
    }
    node = node[token];
  }
  return node;
}

class Spec {
  constructor(doc) {
    this.doc = doc;
    this.ajv = new Ajv2020({
      strict: false,
      allErrors: false,
      validateFormats: false,
      ownProperties: true,
    });
    // The whole document as one schema resource: every "#/components/..." resolves against it.
    this.ajv.addSchema(doc, DOC_ID, undefined, false);
    this.validators = new Map();
  }

  // Follows the $refs of an OpenAPI object (parameter, request body, response): {value, ptr}.
  deref(value, ptr) {
    const seen = new Set();
    while (isObject(value) && typeof value.$ref === "string") {
      if (seen.has(value.$ref)) throw new Error(`circular $ref ${value.$ref}`);
      seen.add(value.$ref);
      ptr = value.$ref;
      value = getPointer(this.doc, ptr);
    }
    return { value, ptr };
  }

  // The Ajv validator of the schema at this pointer of the document (compiled once).
  validator(ptr) {
    let validate = this.validators.get(ptr);
    if (!validate) {
      validate = this.ajv.compile({ $ref: DOC_ID + ptr });
      this.validators.set(ptr, validate);
    }
    return validate;
  }

  valid(ptr, value) {
    return this.validator(ptr)(value) === true;
  }

  // A schema with its $refs and allOf merged, for reading (not for validating): the keywords, plus for each
  // property the pointers of every schema that constrains it.
  view(ptr, depth = 0) {
    const schema = getPointer(this.doc, ptr);
    const out = { ptrs: [ptr], propertyPtrs: new Map(), required: new Set(), keywords: {} };
    if (!isObject(schema) || depth > 32) return out;
    const merge = (other) => {
      for (const [k, v] of Object.entries(other.keywords)) if (!hasOwn(out.keywords, k)) out.keywords[k] = v;
      for (const [name, ptrs] of other.propertyPtrs) {
        out.propertyPtrs.set(name, [...(out.propertyPtrs.get(name) ?? []), ...ptrs]);
      }
      for (const r of other.required) out.required.add(r);
      out.ptrs.push(...other.ptrs);
    };
    for (const [k, v] of Object.entries(schema)) {
      if (!["$ref", "allOf", "properties", "required"].includes(k)) out.keywords[k] = v;
    }
    if (isObject(schema.properties)) {
      for (const name of Object.keys(schema.properties)) {
        out.propertyPtrs.set(name, [child(ptr, "properties", name)]);
      }
    }
    if (Array.isArray(schema.required)) for (const r of schema.required) out.required.add(r);
    if (typeof schema.$ref === "string") merge(this.view(schema.$ref, depth + 1));
    if (Array.isArray(schema.allOf)) {
      schema.allOf.forEach((_, i) => merge(this.view(child(ptr, "allOf", i), depth + 1)));
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------------
// Routes

function compileRoutes(spec) {
  const routes = [];
  const paths = spec.doc.paths ?? {};
  for (const [template, rawItem] of Object.entries(paths)) {
    if (!template.startsWith("/")) continue;
    const { value: item, ptr: itemPtr } = spec.deref(rawItem, child("#", "paths", template));
    if (!isObject(item)) continue;
    const names = [];
    const segments = template
      .split("/")
      .slice(1)
      .map((segment) => {
        if (!segment.includes("{")) return { literal: segment };
        const source = segment.replace(/\{([^}]*)\}|([^{]+)/g, (_, name, text) => {
          if (name !== undefined) {
            names.push(name);
            return "([^/]+)";
          }
          return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        });
        return { regex: new RegExp(`^${source}$`, "u") };
      });
    const operations = new Map();
    for (const method of METHODS) {
      if (isObject(item[method])) {
        operations.set(method, compileOperation(spec, template, item, itemPtr, method));
      }
    }
    const literals = segments.filter((s) => s.literal !== undefined).length;
    routes.push({ template, segments, names, operations, literals, hasParams: names.length > 0 });
  }
  // Concrete paths before templated ones (OpenAPI 3.1, Paths Object).
  routes.sort((a, b) => b.literals - a.literals);
  return routes;
}

function compileOperation(spec, template, item, itemPtr, method) {
  const op = item[method];
  const opPtr = child(itemPtr, method);
  // Parameters: the path item's, overridden by the operation's (same name and location).
  const params = new Map();
  const addParams = (list, listPtr) => {
    if (!Array.isArray(list)) return;
    list.forEach((raw, i) => {
      const { value: p, ptr } = spec.deref(raw, child(listPtr, i));
      if (!isObject(p) || typeof p.name !== "string") return;
      const header = p.in === "header";
      // OpenAPI 3.1: header parameters named Accept, Content-Type or Authorization are ignored.
      if (header && ["accept", "content-type", "authorization"].includes(p.name.toLowerCase())) return;
      params.set(`${p.in}:${header ? p.name.toLowerCase() : p.name}`, { p, ptr });
    });
  };
  addParams(item.parameters, child(itemPtr, "parameters"));
  addParams(op.parameters, child(opPtr, "parameters"));
  const parameters = [...params.values()].map(({ p, ptr }) => {
    let schemaPtr = null;
    if (isObject(p.schema)) schemaPtr = child(ptr, "schema");
    else if (isObject(p.content)) {
      const media = Object.keys(p.content)[0];
      if (media && isObject(p.content[media]?.schema)) schemaPtr = child(ptr, "content", media, "schema");
    }
    if (schemaPtr) spec.validator(schemaPtr);
    return { name: p.name, in: p.in, required: p.required === true || p.in === "path", schemaPtr, json: !p.schema };
  });

  let body = null;
  if (op.requestBody !== undefined) {
    const { value: rb, ptr } = spec.deref(op.requestBody, child(opPtr, "requestBody"));
    const media = [];
    for (const [type, mt] of Object.entries(rb?.content ?? {})) {
      const schemaPtr = isObject(mt?.schema) ? child(ptr, "content", type, "schema") : null;
      if (schemaPtr) spec.validator(schemaPtr);
      media.push({ type: type.toLowerCase().split(";")[0].trim(), schemaPtr });
    }
    body = { required: rb?.required === true, media };
  }

  const responses = new Map();
  for (const [status, raw] of Object.entries(op.responses ?? {})) {
    const { value: r, ptr } = spec.deref(raw, child(opPtr, "responses", status));
    const content = r?.content ?? {};
    const type = Object.keys(content).find(isJsonMedia) ?? Object.keys(content)[0] ?? null;
    let schemaPtr = null;
    const examples = [];
    if (type) {
      const mt = content[type] ?? {};
      if (isObject(mt.schema)) schemaPtr = child(ptr, "content", type, "schema");
      if (hasOwn(mt, "example")) examples.push(mt.example);
      for (const [name, ex] of Object.entries(mt.examples ?? {})) {
        const { value } = spec.deref(ex, child(ptr, "content", type, "examples", name));
        if (isObject(value) && hasOwn(value, "value")) examples.push(value.value);
      }
    }
    if (schemaPtr) spec.validator(schemaPtr);
    // All examples (a stale one still lends the values of its fields); validExamples for whole bodies.
    const validExamples = examples.filter((ex) => !schemaPtr || spec.valid(schemaPtr, ex));
    const links = isObject(r?.links) ? Object.entries(r.links).map(([name, raw]) => spec.deref(raw, child(ptr, "links", name)).value) : [];
    responses.set(String(status).toUpperCase(), { status, type, schemaPtr, examples, validExamples, links });
  }

  const security = op.security ?? spec.doc.security ?? [];
  const update = op["x-update"];
  return { method, template, operationId: op.operationId, opPtr, parameters, body, responses, security, update };
}

function isJsonMedia(type) {
  const t = type.toLowerCase().split(";")[0].trim();
  return t === "application/json" || /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]*\+json$/.test(t) || t === "*/*";
}

function splitTarget(url) {
  let target = url ?? "";
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
    const rest = target.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, "");
    target = rest.startsWith("/") ? rest : `/${rest}`;
  }
  const q = target.indexOf("?");
  return { rawPath: q < 0 ? target : target.slice(0, q), query: q < 0 ? "" : target.slice(q + 1) };
}

function decodeSegment(s) {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

function matchRoute(routes, rawPath) {
  if (!rawPath.startsWith("/")) return null;
  const segments = rawPath.split("/").slice(1).map(decodeSegment);
  if (segments.includes(null)) return null;
  for (const route of routes) {
    if (route.segments.length !== segments.length) continue;
    const values = [];
    let ok = true;
    for (let i = 0; i < segments.length && ok; i += 1) {
      const s = route.segments[i];
      if (s.literal !== undefined) ok = s.literal === segments[i];
      else {
        const m = s.regex.exec(segments[i]);
        if (m) values.push(...m.slice(1));
        else ok = false;
      }
    }
    if (ok) return { route, segments, pathParams: Object.fromEntries(route.names.map((n, i) => [n, values[i]])) };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------
// Responses

class HttpError extends Error {
  constructor(status, message, { param = null, code = null, type = ERROR_TYPE, headers = {}, op = null } = {}) {
    super(message);
    this.op = op; // the operation whose documented responses describe this error
    this.status = status;
    this.param = param;
    this.code = code;
    this.type = type;
    this.headers = headers;
  }
}

// The documented response of an operation for a status: its own, its range's (4XX), or the default.
function responseFor(op, status) {
  const code = String(status);
  return op?.responses.get(code) ?? op?.responses.get(`${code[0]}XX`) ?? op?.responses.get("DEFAULT") ?? null;
}

function errorContentType(op, status) {
  const type = responseFor(op, status)?.type;
  return type && isJsonMedia(type) && type !== "*/*" ? type : "application/json";
}

function send(res, status, payload, contentType = "application/json", headers = {}) {
  let text;
  try {
    text = payload === undefined ? "" : JSON.stringify(payload);
  } catch {
    // Only reachable for data nested deeper than the stack allows (the depth limit should prevent it).
    status = 400;
    text = JSON.stringify(errorBody(new HttpError(400, "The request is nested too deeply to be processed.")));
  }
  const buf = Buffer.from(text, "utf8");
  const head = { ...headers };
  if (payload !== undefined) head["Content-Type"] = contentType;
  head["Content-Length"] = String(buf.length);
  res.writeHead(status, head);
  res.end(buf);
}

function errorBody(err) {
  return { error: { message: err.message, type: err.type, param: err.param, code: err.code } };
}

// The error object, completed with whatever else the documented schema of that status requires (a spec
// that adds a required field to its errors still gets a valid body).
function errorPayload(spec, err) {
  const body = errorBody(err);
  const r = responseFor(err.op, err.status);
  if (r?.schemaPtr && !spec.valid(r.schemaPtr, body)) fillRequired(spec, r.schemaPtr, body);
  return body;
}

function sendError(spec, res, err) {
  send(res, err.status, errorPayload(spec, err), errorContentType(err.op, err.status), err.headers);
}

function fillRequired(spec, ptr, value, depth = 0) {
  if (!isObject(value) || depth > 16) return;
  const v = spec.view(ptr);
  for (const [name, ptrs] of v.propertyPtrs) {
    if (hasOwn(value, name)) fillRequired(spec, ptrs[0], value[name], depth + 1);
    else if (v.required.has(name)) setOwn(value, name, synthesize(spec, ptrs[0]));
  }
}

// ---------------------------------------------------------------------------------------------------
// Security

function sha256(buf) {
  return crypto.createHash("sha256").update(buf).digest();
}

function makeKeyCheck(key) {
  const expected = key === undefined ? null : sha256(Buffer.from(key, "utf8"));
  // Header values arrive as latin1 strings of the raw bytes: compare the bytes, in constant time (both sides
  // hashed, so that the lengths are equal and not revealed).
  return (candidate) => {
    if (expected === null || typeof candidate !== "string" || candidate === "") return false;
    return crypto.timingSafeEqual(sha256(Buffer.from(candidate, "latin1")), expected);
  };
}

function parseCookies(header) {
  const out = Object.create(null);
  for (const part of String(header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0) {
      const name = part.slice(0, eq).trim();
      if (!hasOwn(out, name)) out[name] = part.slice(eq + 1).trim();
    }
  }
  return out;
}

function schemeSatisfied(spec, name, req, url, keyMatches) {
  const schemes = spec.doc.components?.securitySchemes;
  if (!isObject(schemes) || !hasOwn(schemes, name)) return false;
  const raw = schemes[name];
  const { value: scheme } = spec.deref(raw, child("#", "components", "securitySchemes", name));
  const type = String(scheme?.type ?? "").toLowerCase();
  const bearer = () => {
    const m = /^bearer +(\S+)$/i.exec(req.headers.authorization ?? "");
    return m !== null && keyMatches(m[1]);
  };
  if (type === "http") {
    if (String(scheme.scheme ?? "").toLowerCase() === "bearer") return bearer();
    return false; // basic, digest, ...: no credentials to check them against
  }
  if (type === "oauth2" || type === "openidconnect") return bearer();
  if (type === "apikey") {
    if (scheme.in === "header") return keyMatches(req.headers[String(scheme.name).toLowerCase()]);
    if (scheme.in === "query") return keyMatches(new URLSearchParams(url.query).get(scheme.name) ?? "");
    if (scheme.in === "cookie") return keyMatches(parseCookies(req.headers.cookie)[scheme.name]);
  }
  return false;
}

function authorize(spec, op, req, url, keyMatches) {
  if (!Array.isArray(op.security) || op.security.length === 0) return;
  const ok = op.security.some(
    (requirement) =>
      isObject(requirement) &&
      Object.keys(requirement).every((name) => schemeSatisfied(spec, name, req, url, keyMatches)),
  );
  if (!ok) {
    const sent = req.headers.authorization !== undefined;
    throw new HttpError(401, sent ? "Incorrect API key provided." : "You didn't provide an API key.", {
      code: sent ? "invalid_api_key" : null,
    });
  }
}

// ---------------------------------------------------------------------------------------------------
// Parameters

function schemaTypes(spec, ptr) {
  const t = spec.view(ptr).keywords.type;
  if (Array.isArray(t)) return t;
  return t === undefined ? ["string"] : [t];
}

// The candidate values of a parameter's string on the wire, one per type its schema allows.
function coercions(raw, types, location) {
  const out = [];
  for (const type of types) {
    if (type === "string") out.push(raw);
    else if ((type === "integer" || type === "number") && /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(raw)) {
      out.push(Number(raw));
    } else if (type === "boolean" && (raw === "true" || raw === "false")) out.push(raw === "true");
    else if (type === "null" && raw === "") out.push(null);
    else if (type === "array") out.push(location === "query" ? [raw] : raw.split(","));
  }
  return out;
}

function checkParameters(spec, op, req, url, pathParams) {
  const query = new URLSearchParams(url.query);
  let cookies = null;
  for (const p of op.parameters) {
    const own = (obj, key) => (hasOwn(obj, key) ? obj[key] : undefined);
    let raw;
    if (p.in === "header") raw = own(req.headers, p.name.toLowerCase());
    else if (p.in === "query") raw = query.has(p.name) ? query.getAll(p.name) : undefined;
    else if (p.in === "path") raw = own(pathParams, p.name);
    else if (p.in === "cookie") raw = own((cookies ??= parseCookies(req.headers.cookie)), p.name);
    const where = p.in === "header" ? "header" : `${p.in} parameter`;
    if (raw === undefined) {
      if (p.required) throw new HttpError(400, `Missing required ${where}: '${p.name}'.`, { param: p.name });
      continue;
    }
    if (!p.schemaPtr) continue;
    let candidates;
    if (p.json) {
      try {
        candidates = [JSON.parse(Array.isArray(raw) ? raw[0] : raw)];
      } catch {
        candidates = [];
      }
    } else if (Array.isArray(raw)) {
      const types = schemaTypes(spec, p.schemaPtr);
      candidates = types.includes("array") ? [raw] : coercions(raw[0], types, p.in);
    } else candidates = coercions(String(raw), schemaTypes(spec, p.schemaPtr), p.in);
    if (!candidates.some((c) => spec.valid(p.schemaPtr, c))) {
      throw new HttpError(400, `Invalid value for ${where} '${p.name}'.`, { param: p.name });
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Request bodies

function readBody(req) {
  return new Promise((resolve) => {
    const declared = req.headers["content-length"];
    if (declared !== undefined && Number(declared) > MAX_BODY_BYTES) {
      resolve({ tooLarge: true });
      return;
    }
    const chunks = [];
    let size = 0;
    let done = false;
    const finish = (result) => {
      if (!done) {
        done = true;
        resolve(result);
      }
    };
    req.on("data", (chunk) => {
      if (done) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) finish({ tooLarge: true });
      else chunks.push(chunk);
    });
    req.on("end", () => finish({ buf: Buffer.concat(chunks) }));
    req.on("error", () => finish({ aborted: true }));
    req.on("close", () => finish({ aborted: true }));
  });
}

function parseMediaType(header) {
  if (header === undefined) return null;
  const [type, ...params] = String(header).split(";");
  const out = { type: type.trim().toLowerCase(), params: {} };
  for (const p of params) {
    const eq = p.indexOf("=");
    if (eq > 0) out.params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim().replace(/^"(.*)"$/s, "$1");
  }
  return out;
}

function mediaMatches(range, type) {
  if (range === type || range === "*/*") return true;
  return range.endsWith("/*") && type.startsWith(range.slice(0, -1));
}

// Throws on a number JSON.parse could not represent (Infinity) or nesting deeper than MAX_DEPTH; iterative,
// so that no nesting overflows the stack here.
function checkLimits(value) {
  const stack = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop();
    if (typeof v === "number" && !Number.isFinite(v)) {
      throw new HttpError(400, "The request body has a number outside the range this server supports.");
    }
    if (v !== null && typeof v === "object") {
      if (depth >= MAX_DEPTH) {
        throw new HttpError(400, `The request body is nested deeper than ${MAX_DEPTH} levels.`);
      }
      for (const item of Array.isArray(v) ? v : Object.values(v)) {
        if (item !== null && (typeof item === "object" || typeof item === "number")) stack.push([item, depth + 1]);
      }
    }
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

async function readRequestBody(spec, op, req) {
  const spec_ = op.body;
  if (spec_ === null) return { present: false };
  const encoding = String(req.headers["content-encoding"] ?? "identity").trim().toLowerCase();
  const result = await readBody(req);
  if (result.tooLarge) {
    throw new HttpError(413, `The request body is larger than ${MAX_BODY_BYTES} bytes.`, {
      headers: { Connection: "close" },
    });
  }
  if (result.aborted) throw new HttpError(400, "The request body was not received completely.");
  const buf = result.buf;
  if (buf.length === 0) {
    if (spec_.required) throw new HttpError(400, "The request needs a body.");
    return { present: false };
  }
  if (encoding !== "identity" && encoding !== "") {
    throw new HttpError(415, "This server does not accept a Content-Encoding.");
  }
  const mt = parseMediaType(req.headers["content-type"]);
  const media = mt && spec_.media.find((m) => mediaMatches(m.type, mt.type));
  if (!media) {
    const accepted = spec_.media.map((m) => m.type).join(", ");
    throw new HttpError(415, `Unsupported Content-Type: the body must be sent as ${accepted}.`);
  }
  if (!isJsonMedia(mt.type)) return { present: true, raw: buf };
  const charset = mt.params.charset?.toLowerCase();
  if (charset !== undefined && charset !== "utf-8" && charset !== "utf8") {
    throw new HttpError(415, "A JSON body must be encoded as UTF-8.");
  }
  let text;
  try {
    text = utf8.decode(buf);
  } catch {
    throw new HttpError(400, "The request body is not valid UTF-8.");
  }
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, "We could not parse the JSON body of your request.");
  }
  checkLimits(value);
  if (media.schemaPtr) {
    const validate = spec.validator(media.schemaPtr);
    if (!validate(value)) throw bodyError(validate.errors ?? []);
  }
  return { present: true, value };
}

function paramName(instancePath, extra) {
  const tokens = instancePath === "" ? [] : instancePath.split("/").slice(1);
  if (extra !== undefined) tokens.push(escapeToken(extra));
  let out = "";
  for (const t of tokens.map((x) => x.replace(/~1/g, "/").replace(/~0/g, "~"))) {
    out += /^\d+$/.test(t) ? `[${t}]` : out === "" ? t : `.${t}`;
  }
  return out === "" ? null : out;
}

function bodyError(errors) {
  // The most specific error: the one deepest in the body.
  const e = [...errors].sort((a, b) => b.instancePath.length - a.instancePath.length)[0];
  if (!e) return new HttpError(400, "The request body is invalid.");
  if (e.keyword === "required") {
    const param = paramName(e.instancePath, e.params.missingProperty);
    return new HttpError(400, `Missing required parameter: '${param}'.`, { param });
  }
  if (e.keyword === "additionalProperties") {
    const param = paramName(e.instancePath, e.params.additionalProperty);
    return new HttpError(400, `Unrecognized request argument supplied: ${param}`, { param });
  }
  const param = paramName(e.instancePath);
  const where = param === null ? "the request body" : `'${param}'`;
  return new HttpError(400, `Invalid value for ${where}: ${e.message}.`, { param });
}

// ---------------------------------------------------------------------------------------------------
// Building response bodies from the schema

function firstSuccess(op) {
  const codes = [...op.responses.keys()].filter((s) => /^2(\d\d|XX)$/.test(s)).sort();
  const status = codes[0];
  if (status === undefined) return { status: 200, response: null };
  return { status: status.endsWith("XX") ? 200 : Number(status), response: op.responses.get(status) };
}

const clone = (v) => (v === undefined ? undefined : structuredClone(v));

// A value valid against the schema at ptr, from its default, const, examples, enum, or else its shape.
function synthesize(spec, ptr, depth = 0) {
  const v = spec.view(ptr);
  const k = v.keywords;
  const candidates = [];
  if (hasOwn(k, "default")) candidates.push(k.default);
  if (hasOwn(k, "const")) candidates.push(k.const);
  if (Array.isArray(k.examples) && k.examples.length > 0) candidates.push(k.examples[0]);
  if (hasOwn(k, "example")) candidates.push(k.example);
  if (Array.isArray(k.enum) && k.enum.length > 0) candidates.push(k.enum[0]);
  for (const c of candidates) if (spec.valid(ptr, c)) return clone(c);
  if (depth > 16) return null;
  for (const key of ["oneOf", "anyOf"]) {
    if (Array.isArray(k[key]) && k[key].length > 0) {
      for (const ptrOf of v.ptrs) {
        const schema = getPointer(spec.doc, ptrOf);
        if (!Array.isArray(schema?.[key])) continue;
        for (let i = 0; i < schema[key].length; i += 1) {
          const value = synthesize(spec, child(ptrOf, key, i), depth + 1);
          if (spec.valid(ptr, value)) return value;
        }
      }
    }
  }
  const types = Array.isArray(k.type) ? k.type : k.type !== undefined ? [k.type] : [];
  if (types.length === 0) types.push(v.propertyPtrs.size > 0 ? "object" : k.items ? "array" : "null");
  let fallback;
  for (const type of types) {
    let value;
    if (type === "object") {
      value = {};
      for (const name of v.required) {
        const ptrs = v.propertyPtrs.get(name);
        setOwn(value, name, ptrs ? synthesize(spec, ptrs[0], depth + 1) : null);
      }
    } else if (type === "array") {
      value = [];
      const n = Number.isInteger(k.minItems) ? k.minItems : 0;
      for (const ptrOf of v.ptrs) {
        const schema = getPointer(spec.doc, ptrOf);
        if (isObject(schema?.items)) {
          for (let i = 0; i < n; i += 1) value.push(synthesize(spec, child(ptrOf, "items"), depth + 1));
          break;
        }
      }
    } else if (type === "string") value = "x".repeat(Number.isInteger(k.minLength) ? k.minLength : 0);
    else if (type === "integer" || type === "number") {
      if (typeof k.minimum === "number") value = type === "integer" ? Math.ceil(k.minimum) : k.minimum;
      else if (typeof k.exclusiveMinimum === "number") value = Math.floor(k.exclusiveMinimum) + 1;
      else if (typeof k.maximum === "number") value = type === "integer" ? Math.floor(k.maximum) : k.maximum;
      else value = 0;
    } else if (type === "boolean") value = false;
    else if (type === "null") value = null;
    if (value !== undefined && spec.valid(ptr, value)) return value;
    fallback ??= value;
  }
  return fallback ?? null; // best effort: no value of its own satisfies the schema
}

function validAll(spec, ptrs, value) {
  return value !== undefined && ptrs.every((p) => spec.valid(p, value));
}

// A value no object has had yet, for a field the server assigns (an id, an `x-unique` field): text shaped as
// the examples' ids ("asst_" and hex), else a UUID, or a number counted up (for an integer id).
let counted = 0;

function freshValue(spec, ptrs, examples) {
  const keywords = spec.view(ptrs[0]).keywords;
  const types = [keywords.type].flat().filter((t) => t !== undefined);
  const candidates = [];
  if (types.length === 0 || types.includes("string")) {
    const sample = examples.find((e) => typeof e === "string") ?? "";
    const prefix = /^[A-Za-z][A-Za-z0-9]*[_-]/.exec(sample)?.[0] ?? "";
    candidates.push(`${prefix}${crypto.randomBytes(12).toString("hex")}`, crypto.randomUUID());
    candidates.push(crypto.randomBytes(12).toString("hex"));
  }
  if (types.includes("integer") || types.includes("number")) {
    counted += 1;
    const base =
      typeof keywords.minimum === "number"
        ? Math.ceil(keywords.minimum)
        : typeof keywords.exclusiveMinimum === "number"
          ? Math.floor(keywords.exclusiveMinimum) + 1
          : 0;
    candidates.push(base + counted);
  }
  return candidates.find((c) => validAll(spec, ptrs, c)) ?? candidates[0] ?? synthesize(spec, ptrs[0]);
}

// A field holding a time in Unix seconds the server sets: `format: unixtime`, or a number named `..._at`
// with no default.
function isTimeField(name, keywords) {
  if (keywords.format === "unixtime") return true;
  const types = [keywords.type].flat();
  const numeric = types.includes("integer") || types.includes("number");
  return numeric && /(^|_)at$/.test(name) && !hasOwn(keywords, "default");
}

// The server's value of a field nobody sent: the current time (a time field), else its default, const,
// examples (its own, then the response examples' `examples`), or enum, else one of its shape. `affirm`: a
// boolean the schema says nothing else about is true (a delete's `deleted`).
function serverValue(spec, name, ptrs, examples = [], { affirm = false } = {}) {
  const keywords = spec.view(ptrs[0]).keywords;
  const now = Math.floor(Date.now() / 1000);
  if (isTimeField(name, keywords) && validAll(spec, ptrs, now)) return now;
  const candidates = [];
  if (hasOwn(keywords, "default")) candidates.push(keywords.default);
  if (hasOwn(keywords, "const")) candidates.push(keywords.const);
  if (Array.isArray(keywords.examples)) candidates.push(...keywords.examples);
  if (hasOwn(keywords, "example")) candidates.push(keywords.example);
  candidates.push(...examples);
  if (Array.isArray(keywords.enum)) candidates.push(...keywords.enum);
  if (affirm && candidates.length === 0 && validAll(spec, ptrs, true)) return true;
  const chosen = candidates.find((c) => validAll(spec, ptrs, c));
  return chosen !== undefined ? clone(chosen) : synthesize(spec, ptrs[0]);
}

// The object an operation with an object response answers: the response schema's properties, each as the
// request sent it, or else as the request schema's default, or else (when required) the server's own value.
// Options: `fresh`, the names of fields the server assigns a new value (the id of a create; `x-unique`
// fields always are), unless the request sent one that `taken(name, value)` does not refuse; `keep`, values
// kept from before (what a replace does not set).
function buildObject(spec, op, requestBody, { fresh = new Set(), taken = () => false, keep = null } = {}) {
  const { status, response } = firstSuccess(op);
  if (!response?.schemaPtr) return { status, body: undefined, type: response?.type };
  const resp = spec.view(response.schemaPtr);
  const reqMedia = op.body?.media.find((m) => m.schemaPtr && isJsonMedia(m.type));
  const req = reqMedia ? spec.view(reqMedia.schemaPtr) : null;
  const sent = isObject(requestBody) ? requestBody : {};
  const exampleValues = (name) => response.examples.filter(isObject).filter((e) => hasOwn(e, name)).map((e) => e[name]);
  const out = {};
  const set = (name, value) => setOwn(out, name, value);
  for (const [name, ptrs] of resp.propertyPtrs) {
    if (keep !== null && hasOwn(keep, name)) {
      set(name, clone(keep[name]));
      continue;
    }
    const keywords = spec.view(ptrs[0]).keywords;
    const assigned = fresh.has(name) || keywords[UNIQUE] === true;
    if (hasOwn(sent, name) && !(assigned && taken(name, sent[name]))) {
      set(name, sent[name]);
      continue;
    }
    if (assigned) {
      const examples = [...(Array.isArray(keywords.examples) ? keywords.examples : []), ...exampleValues(name)];
      set(name, freshValue(spec, ptrs, examples));
      continue;
    }
    const reqPtrs = req?.propertyPtrs.get(name);
    if (reqPtrs) {
      const reqKeywords = spec.view(reqPtrs[0]).keywords;
      if (hasOwn(reqKeywords, "default") && validAll(spec, ptrs, reqKeywords.default)) {
        set(name, clone(reqKeywords.default));
        continue;
      }
    }
    if (resp.required.has(name)) set(name, serverValue(spec, name, ptrs, exampleValues(name)));
  }
  if (!spec.valid(response.schemaPtr, out)) {
    process.stderr.write(`server.mjs: the ${op.operationId ?? op.template} response does not validate\n`);
  }
  return { status, body: out, type: response.type };
}

// An object of the schema at ptr with the `given` values (those the schema's properties allow) and the
// server's values of the other required fields.
function fillObject(spec, ptr, given, options = {}) {
  const v = spec.view(ptr);
  const out = {};
  for (const [name, ptrs] of v.propertyPtrs) {
    if (hasOwn(given, name) && validAll(spec, ptrs, given[name])) setOwn(out, name, clone(given[name]));
    else if (v.required.has(name)) setOwn(out, name, serverValue(spec, name, ptrs, [], options));
  }
  return out;
}

// `obj` as the schema at ptr has it: itself where it is valid, else its fields the schema allows, completed.
function shaped(spec, ptr, obj) {
  if (!ptr || spec.valid(ptr, obj)) return clone(obj);
  return fillObject(spec, ptr, isObject(obj) ? obj : {});
}

// The body of an operation that acts on no resource: an object response built as a create's (what the
// request sent comes back), else its first 2xx from the examples or the schema.
function buildDefault(spec, op, requestBody) {
  const { status, response } = firstSuccess(op);
  if (!response?.schemaPtr) return { status, body: clone(response?.examples[0]), type: response?.type };
  if (spec.view(response.schemaPtr).propertyPtrs.size > 0) {
    // By REST convention, a POST's `id` is the server's.
    return buildObject(spec, op, requestBody, { fresh: new Set(op.method === "post" ? ["id"] : []) });
  }
  const body = response.validExamples.length > 0 ? clone(response.validExamples[0]) : synthesize(spec, response.schemaPtr);
  return { status, body, type: response.type };
}

// ---------------------------------------------------------------------------------------------------
// Resources: what is created can be retrieved, changed, listed and deleted
//
// A resource is a collection path and an item path below it whose one new segment is a path parameter
// (`/things` and `/things/{thing_id}`). It is found from the spec's links, where declared (a link of a POST's
// success response that gives an item operation's path parameter the value `$response.body#/<pointer>`:
// the pointer names the id in the created object), else by REST convention (a POST to a collection returns
// an object and an operation exists on its item path; the id is the response property named as the
// parameter, else `id`, else the one property marked `x-unique`).
//
// What each operation does follows from its method: on the collection, POST creates and GET lists; on the
// item, GET retrieves, PATCH and POST change the fields sent and keep the others (merge), PUT replaces,
// DELETE deletes. An operation's `x-update: merge` or `x-update: replace` says otherwise.

const UNIQUE = "x-unique";
const MAX_OBJECTS = 10_000; // kept in all, the oldest dropped first
const DEFAULT_PAGE = 20; // a list's page size where the spec gives its size parameter no default
const LIMIT_NAMES = ["limit", "page_size", "pageSize", "per_page", "perPage", "max_results", "maxResults", "size"];
const AFTER_NAMES = ["after", "starting_after", "startingAfter", "cursor", "page_token", "pageToken", "next"];
const BEFORE_NAMES = ["before", "ending_before", "endingBefore"];
const ORDER_NAMES = ["order", "sort", "sort_order", "sortOrder", "direction"];
const MORE_NAMES = ["has_more", "hasMore", "more"];
const COLLECTION_ROLES = { post: "create", get: "list" };
const ITEM_ROLES = { get: "retrieve", patch: "update", post: "update", put: "replace", delete: "delete" };

const pathSegments = (template) => template.split("/").filter((s) => s !== "");
const loneParameter = (segment) => (/^\{[^{}]*\}$/.test(segment) ? segment.slice(1, -1) : null);
const typesOf = (spec, ptr) => [spec.view(ptr).keywords.type].flat().filter((t) => t !== undefined);

// The parameter of `item` when it is `collection` plus one parameter segment, else null.
function itemParameter(collection, item) {
  const outer = pathSegments(collection);
  const inner = pathSegments(item);
  if (inner.length !== outer.length + 1 || outer.some((s, i) => s !== inner[i])) return null;
  return loneParameter(inner[inner.length - 1]);
}

function roleOf(op, onItem) {
  if (onItem && ["patch", "post", "put"].includes(op.method) && ["merge", "replace"].includes(op.update)) {
    return op.update === "merge" ? "update" : "replace";
  }
  const roles = onItem ? ITEM_ROLES : COLLECTION_ROLES;
  return hasOwn(roles, op.method) ? roles[op.method] : null;
}

// A JSON pointer's tokens ("/a~1b/c" -> ["a/b", "c"]); a URI fragment's percent-escapes decoded.
function pointerTokens(pointer) {
  let text = pointer;
  try {
    text = decodeURIComponent(pointer);
  } catch {
    // not percent-encoded: as written
  }
  return text === "" ? [] : text.split("/").slice(1).map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function valueAt(value, tokens) {
  let node = value;
  for (const token of tokens) {
    if (node === null || typeof node !== "object" || !hasOwn(node, token)) return undefined;
    node = node[token];
  }
  return node;
}

// An id as the text of a path segment (as the store keys it); null for an id that is no scalar.
function idText(value) {
  if (typeof value === "string") return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value === "boolean") return String(value);
  return null;
}

// (collection, item) -> {parameter, pointer}, from the links of POSTs' success responses.
function linkedIds(routes) {
  const ops = routes.flatMap((r) => [...r.operations.values()]);
  const byId = new Map(ops.filter((o) => typeof o.operationId === "string").map((o) => [o.operationId, o]));
  const ref = (ptr) => pointerTokens(ptr.slice(ptr.indexOf("#") + 1)).join("\0");
  const byRef = new Map(ops.map((o) => [ref(o.opPtr), o]));
  const found = new Map();
  for (const op of ops) {
    if (op.method !== "post") continue;
    for (const [status, response] of op.responses) {
      if (!status.startsWith("2")) continue;
      for (const link of response.links) {
        if (!isObject(link) || !isObject(link.parameters)) continue;
        let target;
        if (typeof link.operationId === "string") target = byId.get(link.operationId);
        else if (typeof link.operationRef === "string" && link.operationRef.startsWith("#")) {
          target = byRef.get(ref(link.operationRef));
        }
        if (!target) continue;
        for (const [qualified, expression] of Object.entries(link.parameters)) {
          const prefix = "$response.body#";
          if (typeof expression !== "string" || !expression.startsWith(prefix)) continue;
          const name = qualified.replace(/^path\./, "");
          const key = `${op.template}\n${target.template}`;
          if (itemParameter(op.template, target.template) === name && !found.has(key)) {
            found.set(key, { parameter: name, pointer: expression.slice(prefix.length) });
          }
        }
      }
    }
  }
  return found;
}

// By convention: the success body's property named as the parameter, else `id`, else the `x-unique` one.
function conventionalId(spec, op, parameter) {
  const ptr = firstSuccess(op).response?.schemaPtr;
  if (!ptr) return null;
  const v = spec.view(ptr);
  const types = typesOf(spec, ptr);
  if (!types.includes("object") && !(types.length === 0 && v.propertyPtrs.size > 0)) return null;
  for (const name of [parameter, "id"]) if (v.propertyPtrs.has(name)) return `/${escapeToken(name)}`;
  const unique = [...v.propertyPtrs].filter(([, ptrs]) => ptrs.some((p) => spec.view(p).keywords[UNIQUE] === true));
  return unique.length === 1 ? `/${escapeToken(unique[0][0])}` : null;
}

// The schema of an array's items (its own `items`, or that of a schema it refers to), or null.
function itemsSchema(spec, ptr) {
  for (const p of spec.view(ptr).ptrs) {
    if (isObject(getPointer(spec.doc, p)?.items)) return child(p, "items");
  }
  return null;
}

// Where a chain of $refs ends: the same schema however it is reached.
function refEnd(spec, ptr) {
  const seen = new Set();
  let node = getPointer(spec.doc, ptr);
  while (isObject(node) && typeof node.$ref === "string" && !seen.has(node.$ref)) {
    seen.add(node.$ref);
    ptr = node.$ref;
    node = getPointer(spec.doc, ptr);
  }
  return pointerTokens(ptr.slice(1)).join("\0");
}

// How a list operation pages: its cursor, size and order parameters, where its body holds the items, its
// boolean "more follow" and its first and last ids.
function listingOf(spec, op, resourcePtr, idName) {
  const ptr = firstSuccess(op).response?.schemaPtr ?? null;
  const query = op.parameters.filter((p) => p.in === "query");
  const named = (names, kind = null) => {
    for (const name of names) {
      const found = query.find((p) => p.name === name && (kind === null || (p.schemaPtr && schemaTypes(spec, p.schemaPtr).includes(kind))));
      if (found) return found;
    }
    return null;
  };
  let order = named(ORDER_NAMES);
  if (order?.schemaPtr) {
    const values = (spec.view(order.schemaPtr).keywords.enum ?? []).map((e) => String(e).toLowerCase());
    if (!values.includes("asc") || !values.includes("desc")) order = null;
  }
  const listing = {
    ptr,
    limit: named(LIMIT_NAMES, "integer"),
    after: named(AFTER_NAMES),
    before: named(BEFORE_NAMES),
    order,
    items: null, // the property holding the items ("" for the body itself)
    itemPtr: null,
    more: null,
    first: null,
    last: null,
  };
  if (!ptr) return listing;
  const types = typesOf(spec, ptr);
  const v = spec.view(ptr);
  if (types.includes("array") && !types.includes("object")) {
    listing.items = "";
    listing.itemPtr = itemsSchema(spec, ptr);
    return listing;
  }
  const resourceEnd = resourcePtr ? refEnd(spec, resourcePtr) : null;
  const candidates = [];
  for (const [name, ptrs] of v.propertyPtrs) {
    const items = itemsSchema(spec, ptrs[0]);
    if (items === null || !typesOf(spec, ptrs[0]).includes("array")) continue;
    let rank = 2;
    if (resourceEnd !== null && refEnd(spec, items) === resourceEnd) rank = 0;
    else if (idName !== null && spec.view(items).propertyPtrs.has(idName)) rank = 1;
    candidates.push({ rank, name, items });
  }
  candidates.sort((a, b) => a.rank - b.rank || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (candidates.length === 0) return listing;
  listing.items = candidates[0].name;
  listing.itemPtr = candidates[0].items;
  const booleans = [...v.propertyPtrs].filter(([, ptrs]) => {
    const t = typesOf(spec, ptrs[0]);
    return t.length === 1 && t[0] === "boolean";
  });
  const names = booleans.map(([name]) => name);
  listing.more = MORE_NAMES.find((n) => names.includes(n)) ?? (names.length === 1 ? names[0] : null);
  for (const [name, ptrs] of v.propertyPtrs) {
    if (!typesOf(spec, ptrs[0]).includes("string")) continue;
    if (listing.first === null && name.toLowerCase().includes("first")) listing.first = name;
    if (listing.last === null && name.toLowerCase().includes("last")) listing.last = name;
  }
  return listing;
}

// Every resource of the spec, and for each operation that acts on one: {resource, role}.
function findResources(spec, routes) {
  const byTemplate = new Map(routes.map((r) => [r.template, r]));
  const linked = linkedIds(routes);
  const resources = [];
  for (const template of Object.keys(spec.doc.paths ?? {})) {
    const route = byTemplate.get(template);
    const segments = pathSegments(template);
    if (!route || segments.length === 0 || loneParameter(segments[segments.length - 1]) === null) continue;
    const collection = `/${segments.slice(0, -1).join("/")}`;
    let parameter = itemParameter(collection, template);
    if (parameter === null) continue;
    const roles = new Map();
    const add = (op, role) => role !== null && roles.set(role, [...(roles.get(role) ?? []), op]);
    for (const op of byTemplate.get(collection)?.operations.values() ?? []) add(op, roleOf(op, false));
    for (const op of route.operations.values()) add(op, roleOf(op, true));
    const shownBy = (roles.get("create") ?? roles.get("retrieve") ?? [])[0];
    if (!shownBy) continue;
    let idPointer;
    const link = linked.get(`${collection}\n${template}`);
    if (link) ({ parameter, pointer: idPointer } = link);
    else idPointer = conventionalId(spec, shownBy, parameter);
    if (idPointer === null) continue;
    const idTokens = pointerTokens(idPointer);
    const idName = idTokens.length === 1 ? idTokens[0] : null;
    const schemaPtr = firstSuccess(shownBy).response?.schemaPtr ?? null;
    const lister = roles.get("list")?.[0];
    resources.push({
      collection,
      item: template,
      depth: segments.length - 1, // the collection's segments: the item's id is the next one
      parameter,
      idTokens,
      idName,
      schemaPtr,
      roles,
      listing: lister ? listingOf(spec, lister, schemaPtr, idName) : null,
      parent: null,
    });
  }
  // A collection below another resource's item (`/threads/{thread_id}/runs`) lives in that object.
  const byItem = new Map(resources.map((r) => [r.item, r]));
  for (const resource of resources) {
    const segments = pathSegments(resource.collection);
    for (let end = segments.length; end > 0 && resource.parent === null; end -= 1) {
      const parent = byItem.get(`/${segments.slice(0, end).join("/")}`);
      if (parent && parent !== resource) resource.parent = parent;
    }
  }
  const roleByOp = new Map();
  for (const resource of resources) {
    for (const [role, ops] of resource.roles) {
      for (const op of ops) if (!roleByOp.has(op)) roleByOp.set(op, { resource, role });
    }
  }
  return roleByOp;
}

// The objects created, by collection (its path as requested, a parent's id in it) and id, in creation order.
// At most `cap` in all: past it, the oldest is dropped. Kept as JSON text: what is read back is what was
// written, never an object a later change could reach.
class Store {
  constructor(cap = MAX_OBJECTS) {
    this.cap = cap;
    this.objects = new Map(); // JSON [collection, id] -> {collection, id, text}
  }

  put(collection, id, value) {
    // A known key keeps its place (Map order is insertion order).
    this.objects.set(JSON.stringify([collection, id]), { collection, id, text: JSON.stringify(value) });
    while (this.objects.size > this.cap) this.objects.delete(this.objects.keys().next().value);
  }

  get(collection, id) {
    const found = this.objects.get(JSON.stringify([collection, id]));
    return found === undefined ? undefined : JSON.parse(found.text);
  }

  delete(collection, id) {
    return this.objects.delete(JSON.stringify([collection, id]));
  }

  // [{id, text}] of a collection, oldest first.
  entries(collection) {
    return [...this.objects.values()].filter((e) => e.collection === collection);
  }
}

// The answers of the operations that act on resources, over one store.
class Resources {
  constructor(spec, routes) {
    this.spec = spec;
    this.roles = findResources(spec, routes);
    this.store = new Store();
  }

  // The handler of an operation that acts on a resource, or null.
  handler(op) {
    const found = this.roles.get(op);
    if (!found) return null;
    const { resource, role } = found;
    const run = {
      create: this.create,
      list: this.list,
      retrieve: this.retrieve,
      update: this.update,
      replace: this.replace,
      delete: this.delete,
    }[role];
    return (ctx) => run.call(this, resource, op, ctx);
  }

  // The collection a request names: the JSON of its path's segments up to the resource's collection.
  collectionOf(resource, segments) {
    return JSON.stringify(segments.slice(0, resource.depth));
  }

  requireParent(resource, segments) {
    const parent = resource.parent;
    if (parent === null) return;
    this.requireParent(parent, segments);
    if (this.store.get(this.collectionOf(parent, segments), segments[parent.depth]) === undefined) {
      throw notFound(parent, segments[parent.depth]);
    }
  }

  // {collection, id, found} of the object an item request names; 404 when the store has not got it.
  kept(resource, ctx) {
    this.requireParent(resource, ctx.segments);
    const collection = this.collectionOf(resource, ctx.segments);
    const id = ctx.segments[resource.depth];
    const found = this.store.get(collection, id);
    if (found === undefined) throw notFound(resource, id);
    return { collection, id, found };
  }

  create(resource, op, ctx) {
    this.requireParent(resource, ctx.segments);
    const collection = this.collectionOf(resource, ctx.segments);
    const entries = () => this.store.entries(collection).map((e) => JSON.parse(e.text));
    // A value the request sent for a field the server assigns is kept only when no other object has it.
    const taken = (name, value) => {
      const text = JSON.stringify(value);
      if (name === resource.idName) return idText(value) === null || this.store.get(collection, idText(value)) !== undefined;
      return entries().some((obj) => isObject(obj) && hasOwn(obj, name) && JSON.stringify(obj[name]) === text);
    };
    const fresh = new Set(resource.idName !== null ? [resource.idName] : []);
    const result = buildObject(this.spec, op, ctx.body, { fresh, taken });
    const id = idText(valueAt(result.body, resource.idTokens));
    if (id !== null) this.store.put(collection, id, result.body);
    return result;
  }

  retrieve(resource, op, ctx) {
    const { found } = this.kept(resource, ctx);
    return this.answer(op, found);
  }

  update(resource, op, ctx) {
    const { collection, id, found } = this.kept(resource, ctx);
    const merged = isObject(found) ? found : {};
    let properties = resource.schemaPtr ? this.spec.view(resource.schemaPtr).propertyPtrs : null;
    if (properties?.size === 0) properties = null; // a schema that names no fields: every field sent is one
    for (const [name, value] of Object.entries(isObject(ctx.body) ? ctx.body : {})) {
      if (name === resource.idName) continue;
      if (properties === null || (properties.has(name) && validAll(this.spec, properties.get(name), value))) {
        setOwn(merged, name, value);
      }
    }
    this.store.put(collection, id, merged);
    return this.answer(op, merged);
  }

  replace(resource, op, ctx) {
    const { collection, id, found } = this.kept(resource, ctx);
    const media = op.body?.media.find((m) => m.schemaPtr && isJsonMedia(m.type));
    const settable = media ? this.spec.view(media.schemaPtr).propertyPtrs : new Map();
    const keep = {};
    for (const [name, value] of Object.entries(isObject(found) ? found : {})) {
      if (!settable.has(name) || name === resource.idName) setOwn(keep, name, value);
    }
    const result = buildObject(this.spec, op, ctx.body, { keep });
    this.store.put(collection, id, result.body);
    return result;
  }

  delete(resource, op, ctx) {
    const { collection, id, found } = this.kept(resource, ctx);
    this.store.delete(collection, id);
    const { status, response } = firstSuccess(op);
    if (!response?.schemaPtr) return { status, body: undefined, type: response?.type };
    const given = {};
    if (resource.idName !== null) setOwn(given, resource.idName, valueAt(found, resource.idTokens));
    return { status, body: fillObject(this.spec, response.schemaPtr, given, { affirm: true }), type: response.type };
  }

  list(resource, op, ctx) {
    const listing = resource.listing;
    if (listing === null || listing.items === null) return buildDefault(this.spec, op, ctx.body);
    this.requireParent(resource, ctx.segments);
    const entries = this.store.entries(this.collectionOf(resource, ctx.segments));
    const order = this.queryValue(listing.order, ctx);
    if (typeof order === "string" && order.toLowerCase() === "desc") entries.reverse();
    const ids = entries.map((e) => e.id);
    let start = 0;
    let end = entries.length;
    const after = this.queryValue(listing.after, ctx);
    const before = this.queryValue(listing.before, ctx);
    if (after !== null && ids.includes(String(after))) start = ids.indexOf(String(after)) + 1;
    if (before !== null && ids.includes(String(before))) end = Math.max(start, ids.indexOf(String(before)));
    const asked = Number(this.queryValue(listing.limit, ctx));
    const size = Number.isInteger(asked) && asked > 0 ? asked : DEFAULT_PAGE;
    // The page right after `after`, else the one right before `before`, else the first.
    const from = after === null && before !== null ? Math.max(start, end - size) : start;
    const page = entries.slice(from, Math.min(end, from + size)).map((e) => JSON.parse(e.text));
    const more = after === null && before !== null ? from > start : from + page.length < end;
    const items = page.map((obj) => shaped(this.spec, listing.itemPtr, obj));
    const { status, response } = firstSuccess(op);
    if (listing.items === "") return { status, body: items, type: response?.type };
    const given = {};
    setOwn(given, listing.items, items);
    if (listing.more !== null) setOwn(given, listing.more, more);
    const idOf = (obj) => (obj === undefined ? null : valueAt(obj, resource.idTokens) ?? null);
    if (listing.first !== null) setOwn(given, listing.first, idOf(page[0]));
    if (listing.last !== null) setOwn(given, listing.last, idOf(page[page.length - 1]));
    return { status, body: fillObject(this.spec, listing.ptr, given), type: response?.type };
  }

  // A query parameter's value as sent (a number for a numeric schema), else its schema's default, else null.
  queryValue(parameter, ctx) {
    if (parameter === null) return null;
    const sent = ctx.query.get(parameter.name);
    if (sent !== null) {
      const numeric = parameter.schemaPtr && schemaTypes(this.spec, parameter.schemaPtr).some((t) => t === "integer" || t === "number");
      return numeric && /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(sent) ? Number(sent) : sent;
    }
    const keywords = parameter.schemaPtr ? this.spec.view(parameter.schemaPtr).keywords : {};
    return hasOwn(keywords, "default") ? keywords.default : null;
  }

  // The kept object as the operation's success schema has it.
  answer(op, obj) {
    const { status, response } = firstSuccess(op);
    return { status, body: response?.schemaPtr ? shaped(this.spec, response.schemaPtr, obj) : undefined, type: response?.type };
  }
}

function notFound(resource, id) {
  const shown = id.length > 64 ? `${id.slice(0, 64)}...` : id;
  return new HttpError(404, `No object at ${resource.item} with ${resource.parameter} '${shown}'.`, {
    param: resource.parameter,
    code: "not_found",
  });
}

// ---------------------------------------------------------------------------------------------------
// The server

function createServer(spec, routes, keyMatches) {
  const resources = new Resources(spec, routes);
  // Errors outside any operation (unknown path, method) are described by the responses of the path's
  // operations, or else of the document's first operation.
  const anyOp = routes.flatMap((r) => [...r.operations.values()])[0] ?? null;
  const handle = async (req, res) => {
    const url = splitTarget(req.url);
    const match = matchRoute(routes, url.rawPath);
    if (!match) {
      throw new HttpError(404, "Unknown request URL: no operation of the API has this path.", {
        code: "unknown_url",
        op: anyOp,
      });
    }
    const { route, segments, pathParams } = match;
    let method = String(req.method).toLowerCase();
    if (method === "head" && !route.operations.has("head") && route.operations.has("get")) method = "get";
    const op = route.operations.get(method);
    if (!op) {
      const allow = [...route.operations.keys()].map((m) => m.toUpperCase());
      if (route.operations.has("get") && !route.operations.has("head")) allow.push("HEAD");
      throw new HttpError(405, `Method not allowed: ${route.template} accepts ${allow.join(", ")}.`, {
        headers: { Allow: allow.join(", ") },
        op: route.operations.values().next().value ?? anyOp,
      });
    }
    try {
      authorize(spec, op, req, url, keyMatches);
      checkParameters(spec, op, req, url, pathParams);
      const body = await readRequestBody(spec, op, req);
      const handler = resources.handler(op);
      let result;
      if (handler) result = handler({ body: body.value, segments, query: new URLSearchParams(url.query) });
      else if (route.hasParams) {
        // A path with an id of no resource this server keeps: nothing is there.
        throw new HttpError(404, `No such resource: ${route.template}.`, { code: "not_found" });
      } else result = buildDefault(spec, op, body.value);
      send(res, result.status, result.body, result.type && result.type !== "*/*" ? result.type : "application/json");
    } catch (err) {
      if (err instanceof HttpError) err.op ??= op;
      throw err;
    }
  };

  const server = http.createServer({ requestTimeout: 60_000, headersTimeout: 30_000 }, (req, res) => {
    handle(req, res).catch((err) => {
      if (!(err instanceof HttpError)) {
        process.stderr.write(`server.mjs: unexpected error: ${err?.stack ?? err}\n`);
        err = new HttpError(400, "The request could not be processed.", { op: anyOp });
      }
      if (res.headersSent) res.destroy();
      else sendError(spec, res, err);
    });
  });

  // Requests Node's parser refuses (binary garbage, bad header bytes, oversized headers): still an error
  // object, never a 5xx.
  server.on("clientError", (err, socket) => {
    if (err.code === "ECONNRESET" || !socket.writable || socket._httpMessage?.headersSent) {
      socket.destroy();
      return;
    }
    const status =
      err.code === "HPE_HEADER_OVERFLOW" ? 431 : err.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
    const message = status === 431 ? "The request headers are too large." : "The request is not valid HTTP.";
    const body = JSON.stringify(errorPayload(spec, new HttpError(status, message, { op: anyOp })));
    socket.end(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: ${errorContentType(anyOp, status)}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
  return server;
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  let spec;
  let routes;
  try {
    const doc = YAML.parse(fs.readFileSync(args.spec, "utf8"));
    if (!isObject(doc) || !isObject(doc.paths)) throw new Error("not an OpenAPI document with paths");
    spec = new Spec(doc);
    routes = compileRoutes(spec);
  } catch (err) {
    fail(`cannot use the spec ${args.spec}: ${err.message}`);
  }
  const key = process.env.ASSISTANTS_API_KEY;
  const secured = routes.some((r) => [...r.operations.values()].some((op) => op.security.length > 0));
  if (secured && !key) fail("set ASSISTANTS_API_KEY to the API key the server accepts");
  const server = createServer(spec, routes, makeKeyCheck(key));
  process.on("uncaughtException", (err) => process.stderr.write(`server.mjs: uncaught: ${err?.stack ?? err}\n`));
  const stop = () => server.close(() => process.exit(0)) && setTimeout(() => process.exit(0), 2000).unref();
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  server.on("error", (err) => fail(`cannot listen on ${args.host}:${args.port}: ${err.message}`));
  server.listen(args.port, args.host, () => {
    const { port } = server.address();
    const host = args.host.includes(":") ? `[${args.host}]` : args.host;
    process.stdout.write(`listening on http://${host}:${port}\n`);
  });
}

main();
