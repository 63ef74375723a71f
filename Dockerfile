# Build stage: the fat jar.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
COPY protocol/pom.xml protocol/
COPY proxy/pom.xml proxy/
COPY flink-ha-test/pom.xml flink-ha-test/
RUN mvn -B -q -pl proxy -am dependency:go-offline || true
COPY protocol protocol
COPY proxy proxy
RUN mvn -B -q -pl proxy -am -DskipTests package

# Runtime stage: a JRE 17 and the jar, as a non-root user.
FROM eclipse-temurin:17-jre
RUN groupadd --system zktp && useradd --system --gid zktp --home-dir /var/lib/zk-tenant-proxy zktp \
    && mkdir -p /var/lib/zk-tenant-proxy /etc/zk-tenant-proxy \
    && chown zktp:zktp /var/lib/zk-tenant-proxy
COPY --from=build /src/proxy/target/zk-tenant-proxy.jar /opt/zk-tenant-proxy/zk-tenant-proxy.jar
USER zktp
WORKDIR /var/lib/zk-tenant-proxy
# Configuration by environment (sidecar) or a mounted YAML (shared):
#   ZKTP_UPSTREAM=zk1:2181,zk2:2181  ZKTP_TENANT=acme  ZKTP_ADVERTISED=proxy.acme.svc:7451
#   ZKTP_CONFIG=/etc/zk-tenant-proxy/proxy.yaml   (mount the file there)
# The admin server listens on all interfaces inside the container so the orchestrator can probe it; publish it
# only on a private network, or set a token in the YAML.
ENV ZKTP_LISTEN=0.0.0.0:7451 \
    ZKTP_ADMIN=0.0.0.0:7452 \
    ZKTP_DATA_DIR=/var/lib/zk-tenant-proxy/data \
    JAVA_TOOL_OPTIONS="-XX:+UseG1GC -XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
EXPOSE 7451 7452
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/7452 && printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q ' 200 ' <&3"]
ENTRYPOINT ["java", "-jar", "/opt/zk-tenant-proxy/zk-tenant-proxy.jar"]
