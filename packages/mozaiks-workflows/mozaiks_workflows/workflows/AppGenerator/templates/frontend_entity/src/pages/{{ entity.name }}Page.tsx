{%- macro camel(name) %}{% set parts = name.split("_") %}{{ parts[0] }}{% for part in parts[1:] %}{{ part | capitalize }}{% endfor %}{% endmacro -%}
{%- macro words(name) %}{{ name.replace("_", " ") | capitalize }}{% endmacro -%}
{%- set fields = entity.fields -%}
{%- set title = fields | selectattr("name", "equalto", entity.title_field) | first -%}
{%- set others = fields | rejectattr("name", "equalto", entity.title_field) | list -%}
{%- set types = fields | map(attribute="type") | list -%}
{%- set enums = fields | selectattr("type", "equalto", "enum") | list -%}
{%- macro cell(field) -%}
{%- if field.type == "enum" -%}humanize(item.{{ field.name }})
{%- elif field.type == "datetime" -%}displayDateTime(item.{{ field.name }})
{%- else -%}display(item.{{ field.name }})
{%- endif -%}
{%- endmacro -%}
{%- macro initial(field) -%}
{%- if field.type == "boolean" -%}{{ "true" if field.default else "false" }}
{%- elif field.type == "datetime" or field.default is none -%}""
{%- else -%}{{ field.default | string | tojson }}
{%- endif -%}
{%- endmacro -%}
{%- macro value(field) -%}
{%- if field.type == "boolean" -%}form.{{ field.name }}
{%- elif field.type in ("integer", "number") and field.required -%}Number(form.{{ field.name }})
{%- elif field.type in ("integer", "number") -%}form.{{ field.name }} === "" ? undefined : Number(form.{{ field.name }})
{%- elif field.type == "enum" and field.required -%}form.{{ field.name }} as ItemInput["{{ field.name }}"]
{%- elif field.type == "enum" -%}form.{{ field.name }} === "" ? undefined : (form.{{ field.name }} as NonNullable<ItemInput["{{ field.name }}"]>)
{%- elif field.type == "datetime" and field.required -%}fromDateTimeLocal(form.{{ field.name }})
{%- elif field.type == "datetime" -%}form.{{ field.name }} === "" ? undefined : fromDateTimeLocal(form.{{ field.name }})
{%- elif field.required -%}form.{{ field.name }}
{%- else -%}form.{{ field.name }} === "" ? undefined : form.{{ field.name }}
{%- endif -%}
{%- endmacro -%}
{%- macro input(field) -%}
{%- if field.type == "boolean" %}
        <label className="check">
          <input
            type="checkbox"
            checked={form.{{ field.name }}}
            onChange={(event) => set("{{ field.name }}", event.target.checked)}
          />
          <span>{LABELS.{{ field.name }}}</span>
        </label>
{%- elif field.type == "text" %}
        <label className="wide">
          <span>{LABELS.{{ field.name }}}</span>
          <textarea
            rows={3}
            {%- if field.required %}
            required
            {%- endif %}
            value={form.{{ field.name }}}
            onChange={(event) => set("{{ field.name }}", event.target.value)}
          />
        </label>
{%- elif field.type == "enum" %}
        <label>
          <span>{LABELS.{{ field.name }}}</span>
          <select
            {%- if field.required %}
            required
            {%- endif %}
            value={form.{{ field.name }}}
            onChange={(event) => set("{{ field.name }}", event.target.value)}
          >
            {%- if not field.required or field.default is none %}
            <option value="">{{ "Choose…" if field.required else "—" }}</option>
            {%- endif %}
            {{ "{" }}{{ field.name | upper }}_OPTIONS.map((option) => (
              <option key={option} value={option}>
                {humanize(option)}
              </option>
            )){{ "}" }}
          </select>
        </label>
{%- else %}
{%- set kind = {"string": "text", "email": "email", "url": "url", "date": "date", "datetime": "datetime-local", "integer": "number", "number": "number"}[field.type] %}
        <label>
          <span>{LABELS.{{ field.name }}}</span>
          <input
            type="{{ kind }}"
            {%- if field.required %}
            required
            {%- endif %}
            {%- if field.type == "integer" %}
            step={1}
            {%- elif field.type == "number" %}
            step="any"
            {%- endif %}
            value={form.{{ field.name }}}
            onChange={(event) => set("{{ field.name }}", event.target.value)}
          />
        </label>
{%- endif %}
{%- endmacro -%}
import { useMozaiks, useMutation } from "@mozaiks/core-runtime/react";
import { type FormEvent, useState } from "react";
import { ErrorNotice } from "../components/ErrorNotice";
import { display{% if "datetime" in types %}, displayDateTime, fromDateTimeLocal{% endif %}{% if enums %}, humanize{% endif %} } from "../format";
import { useCollection{% if entity.relations %}, useOptions{% endif %} } from "../hooks";
import type { {{ entity.name }} as Item, {{ entity.name }}Input as ItemInput } from "../types/{{ entity.name }}";

const PATH = {{ ("/api/" ~ entity.collection) | tojson }};
const LABEL = {{ entity.label | tojson }};
const PLURAL_LABEL = {{ entity.plural_label | tojson }};

/** Human labels of the fields (also name the field a validation error points at). */
const LABELS = {
{%- for field in fields %}
  {{ field.name }}: {{ field.label | tojson }},
{%- endfor %}
{%- for relation in entity.relations %}
  {{ relation.name }}: {{ words(relation.name[:-3]) | tojson }},
{%- endfor %}
} as const;
{%- for field in enums %}

const {{ field.name | upper }}_OPTIONS = [{% for option in field.options %}{{ option | tojson }}{% if not loop.last %}, {% endif %}{% endfor %}] as const;
{%- endfor %}

/** What the create form's inputs hold (text for text inputs, a boolean for checkboxes). */
interface FormState {
{%- for field in fields %}
  {{ field.name }}: {{ "boolean" if field.type == "boolean" else "string" }};
{%- endfor %}
{%- for relation in entity.relations %}
  {{ relation.name }}: string;
{%- endfor %}
}

const EMPTY: FormState = {
{%- for field in fields %}
  {{ field.name }}: {{ initial(field) }},
{%- endfor %}
{%- for relation in entity.relations %}
  {{ relation.name }}: "",
{%- endfor %}
};

/** The request body for the form: empty optional inputs are left out (the backend applies the defaults). */
function toInput(form: FormState): ItemInput {
  return {
{%- for field in fields %}
    {{ field.name }}: {{ value(field) }},
{%- endfor %}
{%- for relation in entity.relations %}
    {{ relation.name }}: {% if relation.required %}form.{{ relation.name }}{% else %}form.{{ relation.name }} === "" ? undefined : form.{{ relation.name }}{% endif %},
{%- endfor %}
  };
}

/** {{ entity.plural_label | replace("*/", "* /") }}: the list (`GET {{ "/api/" ~ entity.collection }}`, page by page), a create form and delete buttons. */
export function {{ entity.name }}Page() {
  const client = useMozaiks();
  const list = useCollection<Item>(PATH);
{%- for relation in entity.relations %}
{%- set target = vars.spec.entities | selectattr("name", "equalto", relation.target) | first %}
  const {{ camel(relation.name) }}Options = useOptions({{ ("/api/" ~ target.collection) | tojson }}, {{ target.title_field | tojson }});
{%- endfor %}
  const [form, setForm] = useState<FormState>(EMPTY);
  const set = <K extends keyof FormState>(key: K, value: FormState[K]) =>
    setForm((state) => ({ ...state, [key]: value }));

  const create = useMutation((input: ItemInput) => client.api.post<Item>(PATH, input));
  const remove = useMutation(async (item: Item) => {
    await client.api.delete(`${PATH}/${encodeURIComponent(item.id)}`);
    return item.id;
  });

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const created = await create.mutate(toInput(form));
    if (created !== undefined) {
      list.prepend(created);
      setForm(EMPTY);
    }
  }

  async function confirmRemove(item: Item) {
    if (!window.confirm(`Delete ${LABEL.toLowerCase()} “${ {{- cell(title) -}} }”?`)) return;
    const id = await remove.mutate(item);
    if (id !== undefined) list.drop(id);
  }

  return (
    <section>
      <h1>{PLURAL_LABEL}</h1>

      <form className="card form" onSubmit={(event) => void submit(event)}>
        <h2>New {LABEL.toLowerCase()}</h2>
{%- for field in [title] + others %}
{{- input(field) }}
{%- endfor %}
{%- for relation in entity.relations %}
{%- set options = camel(relation.name) ~ "Options" %}
        <label>
          <span>{LABELS.{{ relation.name }}}</span>
          <select
            {%- if relation.required %}
            required
            {%- endif %}
            value={form.{{ relation.name }}}
            onChange={(event) => set("{{ relation.name }}", event.target.value)}
          >
            <option value="">{{ "Choose…" if relation.required else "—" }}</option>
            {{ "{" }}{{ options }}.options.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            )){{ "}" }}
          </select>
          <ErrorNotice error={ {{- options }}.error} />
        </label>
{%- endfor %}
        <div className="actions">
          <ErrorNotice error={create.error} labels={LABELS} />
          <button type="submit" disabled={create.loading}>
            Add {LABEL.toLowerCase()}
          </button>
        </div>
      </form>

      <ErrorNotice error={list.error} />
      <ErrorNotice error={remove.error} />
      {!list.loading && list.items.length === 0 && list.error === null && (
        <p className="empty">No {PLURAL_LABEL.toLowerCase()} yet.</p>
      )}
      {list.items.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
{%- for field in [title] + others %}
                <th>{LABELS.{{ field.name }}}</th>
{%- endfor %}
{%- for relation in entity.relations %}
                <th>{LABELS.{{ relation.name }}}</th>
{%- endfor %}
                <th aria-label="Actions" />
              </tr>
            </thead>
            <tbody>
              {list.items.map((item) => (
                <tr key={item.id}>
{%- for field in [title] + others %}
                  <td{% if field.type == "text" %} className="clip"{% endif %}>{ {{- cell(field) -}} }</td>
{%- endfor %}
{%- for relation in entity.relations %}
                  <td>{ {{- camel(relation.name) }}Options.labelOf(item.{{ relation.name }})}</td>
{%- endfor %}
                  <td>
                    <button
                      type="button"
                      className="danger"
                      onClick={() => void confirmRemove(item)}
                      disabled={remove.loading}
                    >
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.hasMore && (
        <p className="more">
          <button type="button" className="secondary" onClick={() => void list.loadMore()} disabled={list.loading}>
            {list.loading ? "Loading…" : "Load more"}
          </button>
        </p>
      )}
    </section>
  );
}
