import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';

/** Every panel asks the Prometheus chosen in the dashboard's `datasource` variable. */
export const DATASOURCE: dashboard.DataSourceRef = { type: 'prometheus', uid: '${datasource}' };

export function datasourceVariable(): dashboard.DatasourceVariableBuilder {
  return new dashboard.DatasourceVariableBuilder('datasource').label('Prometheus').type('prometheus');
}

export interface Query {
  expr: string;
  legend: string;
}

/** A time series panel of PromQL queries (refIds A, B, … in order). */
export function graph(
  title: string,
  description: string,
  queries: Query[],
  options: { unit?: string; width?: number; mappings?: dashboard.ValueMapping[] } = {},
): timeseries.PanelBuilder {
  const panel = new timeseries.PanelBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .unit(options.unit ?? 'short')
    .height(8)
    .span(options.width ?? 12)
    .targets(
      queries.map((q, i) =>
        new prometheus.DataqueryBuilder()
          .refId(String.fromCharCode(65 + i))
          .datasource(DATASOURCE)
          .expr(q.expr)
          .legendFormat(q.legend),
      ),
    );
  if (options.mappings) panel.mappings(options.mappings);
  return panel;
}

/** A dashboard of RUNRUN's: refreshed every 10 s, last hour, the Prometheus variable. */
export function runrunDashboard(uid: string, title: string, description: string): dashboard.DashboardBuilder {
  return new dashboard.DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags(['runrun'])
    .refresh('10s')
    .time({ from: 'now-1h', to: 'now' })
    .timezone('browser')
    .withVariable(datasourceVariable());
}
