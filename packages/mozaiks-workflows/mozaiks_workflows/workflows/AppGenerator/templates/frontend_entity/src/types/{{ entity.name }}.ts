{%- macro ts_type(field) -%}
{%- if field.type in ("integer", "number") -%}number
{%- elif field.type == "boolean" -%}boolean
{%- elif field.type == "enum" -%}{% for option in field.options %}{{ option | tojson }}{% if not loop.last %} | {% endif %}{% endfor %}
{%- else -%}string
{%- endif -%}
{%- endmacro -%}
{%- macro note(field) -%}
{{ field.label | replace("*/", "* /") }}{% if field.type == "date" %} (YYYY-MM-DD){% elif field.type == "datetime" %} (ISO 8601 date-time){% elif field.type == "integer" %} (a whole number){% elif field.type == "text" %} (long text){% elif field.type in ("email", "url") %} ({{ field.type }}){% endif %}{% if field.default is not none %}; default {{ field.default | tojson | replace("*/", "* /") }}{% endif %}.
{%- endmacro -%}
{%- macro members(nullable) -%}
{%- for field in entity.fields %}
  /** {{ note(field) }} */
  {{ field.name }}{% if not field.required %}?{% endif %}: {{ ts_type(field) }}{% if nullable and not field.required %} | null{% endif %};
{%- endfor %}
{%- for relation in entity.relations %}
  /** {{ relation.name[:-3].replace("_", " ") | capitalize }}: id of the related {{ relation.target }}. */
  {{ relation.name }}{% if not relation.required %}?{% endif %}: string{% if nullable and not relation.required %} | null{% endif %};
{%- endfor %}
{%- endmacro -%}
/** What creating a {{ entity.name }} sends: `POST /api/{{ entity.collection }}` (leave out a field to get its default). */
export interface {{ entity.name }}Input {
{{- members(false) }}
}

/** A {{ entity.name }} as the backend returns it: `GET /api/{{ entity.collection }}[/{id}]`. */
export interface {{ entity.name }} {
  /** Set by the backend: the record's id, its owner, and when it was created and last changed (ISO 8601). */
  id: string;
  owner?: string | null;
  created_at: string;
  updated_at: string;
{{- members(true) }}
}
