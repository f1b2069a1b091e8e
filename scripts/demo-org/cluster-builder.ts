/** Builds one cluster of the demo organization: service accounts, associations and pods. */
import {
  ANNOTATION_ROLE_ARN,
  type Cluster,
  type Container,
  type EnvVar,
  type Pod,
  type PodIdentityAssociation,
  type ServiceAccount,
} from '../../lambda/core/model';
import { irsaEnvironment, podIdentityEnvironment } from '../shapes/pod-environment';
import { associationId, plusMinutes, suffix } from './names';

/** How a workload's pods got (or did not get) their AWS environment. */
export type PodCredentials =
  /** What the webhook injects today for the service account (IRSA, Pod Identity, or nothing). */
  | { kind: 'current' }
  /** Created before the service account was annotated (or while the webhook was down): nothing. */
  | { kind: 'none' }
  /** Created when the service account was annotated with another role. */
  | { kind: 'irsa'; roleArn: string };

export interface WorkloadSpec {
  namespace: string;
  kind: 'Deployment' | 'DaemonSet' | 'StatefulSet' | 'Job';
  name: string;
  serviceAccount: string;
  replicas: number;
  containers: string[];
  initContainers?: string[];
  credentials?: PodCredentials;
  startTime: string;
  phase?: string;
  appEnv?: EnvVar[];
}

export class ClusterBuilder {
  readonly cluster: Cluster;
  /** Changes pod-name suffixes and association ids when the cluster is re-created. */
  generation = 0;

  constructor(
    accountId: string,
    name: string,
    region: string,
    issuer: string,
    kubernetes: Cluster['kubernetes'],
  ) {
    this.cluster = {
      name,
      region,
      arn: `arn:aws:eks:${region}:${accountId}:cluster/${name}`,
      oidcIssuer: `https://${issuer}`,
      podIdentityAssociations: [],
      kubernetes,
      serviceAccounts: [],
      pods: [],
    };
  }

  private saOf(namespace: string, name: string): ServiceAccount | undefined {
    return this.cluster.serviceAccounts.find((sa) => sa.namespace === namespace && sa.name === name);
  }

  /** A namespace: its `default` service account, which nothing annotates. */
  namespace(namespace: string): this {
    if (!this.saOf(namespace, 'default'))
      this.cluster.serviceAccounts.push({ namespace, name: 'default', annotations: {} });
    return this;
  }

  serviceAccount(
    namespace: string,
    name: string,
    roleArnValue?: string,
    extra: Record<string, string> = {},
    helmRelease?: string,
  ): this {
    this.namespace(namespace);
    const annotations: Record<string, string> = {};
    if (roleArnValue !== undefined) annotations[ANNOTATION_ROLE_ARN] = roleArnValue;
    Object.assign(annotations, extra);
    if (helmRelease) {
      annotations['meta.helm.sh/release-name'] = helmRelease;
      annotations['meta.helm.sh/release-namespace'] = namespace;
    }
    this.cluster.serviceAccounts.push({ namespace, name, annotations });
    return this;
  }

  association(namespace: string, serviceAccount: string, roleArnValue: string): this {
    const association: PodIdentityAssociation = {
      namespace,
      serviceAccount,
      roleArn: roleArnValue,
      associationId: associationId(`${this.cluster.arn}/${this.generation}/${namespace}/${serviceAccount}`),
    };
    this.cluster.podIdentityAssociations.push(association);
    return this;
  }

  /** The AWS variables the webhook would inject into a new pod of this service account now. */
  private injected(namespace: string, serviceAccount: string, credentials: PodCredentials): EnvVar[] {
    if (credentials.kind === 'none') return [];
    if (credentials.kind === 'irsa') return irsaEnvironment(credentials.roleArn);
    const associated = this.cluster.podIdentityAssociations.some(
      (a) => a.namespace === namespace && a.serviceAccount === serviceAccount,
    );
    if (associated) return podIdentityEnvironment();
    const annotated = this.saOf(namespace, serviceAccount)?.annotations[ANNOTATION_ROLE_ARN];
    return annotated ? irsaEnvironment(annotated) : [];
  }

  workload(spec: WorkloadSpec): this {
    this.namespace(spec.namespace);
    const seed = `${this.cluster.arn}/${this.generation}/${spec.namespace}/${spec.kind}/${spec.name}`;
    const templateHash = suffix(`${seed}/template`, 10);
    const aws = this.injected(spec.namespace, spec.serviceAccount, spec.credentials ?? { kind: 'current' });
    const container = (name: string, init: boolean): Container => ({
      name,
      ...(init ? { init: true } : {}),
      env: [...(init ? [] : (spec.appEnv ?? [])), ...aws],
    });
    for (let i = 0; i < spec.replicas; i++) {
      let podName: string;
      if (spec.kind === 'Deployment') podName = `${spec.name}-${templateHash}-${suffix(`${seed}/${i}`, 5)}`;
      else if (spec.kind === 'StatefulSet') podName = `${spec.name}-${i}`;
      else podName = `${spec.name}-${suffix(`${seed}/${i}`, 5)}`;
      const pod: Pod = {
        namespace: spec.namespace,
        name: podName,
        serviceAccountName: spec.serviceAccount,
        phase: spec.phase ?? 'Running',
        labels: { 'app.kubernetes.io/name': spec.name },
        owner: { kind: spec.kind, name: spec.name },
        startTime: plusMinutes(spec.startTime, i * 3),
        containers: [
          ...(spec.initContainers ?? []).map((name) => container(name, true)),
          ...spec.containers.map((name) => container(name, false)),
        ],
      };
      this.cluster.pods.push(pod);
    }
    return this;
  }

  /** A Deployment whose pods run as a service account of the same name (the common Helm layout). */
  app(
    namespace: string,
    name: string,
    replicas: number,
    startTime: string,
    options: Partial<WorkloadSpec> = {},
  ): this {
    return this.workload({
      namespace,
      kind: 'Deployment',
      name,
      serviceAccount: name,
      replicas,
      containers: [name],
      startTime,
      ...options,
    });
  }

  /** A Helm release's service account (annotated with `role`, if any) and its Deployment. */
  helmApp(
    namespace: string,
    name: string,
    role: string | undefined,
    replicas: number,
    startTime: string,
    options: Partial<WorkloadSpec> = {},
  ): this {
    return this.serviceAccount(namespace, name, role, {}, name).app(
      namespace,
      name,
      replicas,
      startTime,
      options,
    );
  }
}
