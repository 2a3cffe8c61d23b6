# The link prober's image (the chart's prober DaemonSet), for users who build with Docker (the
# project's own build uses Jib and needs no Docker: `mvn -Pimages package`, see
# deploy/local-cluster/README.md). Same contract as the Jib image: the jar at /app, java on PATH,
# uid/gid 10001, works with a read-only root filesystem when /tmp is a writable volume (ONNX
# Runtime unpacks its native library there for the MatMul benchmark).
#
#   mvn -B -Pimages -pl shard-worker/prober -am package -Dmaven.test.skip=true
#   docker build -f deploy/images/prober.Dockerfile -t dilemma/prober:0.1.0-SNAPSHOT .
#   # both platforms: the jar carries the linux-x64 and linux-aarch64 natives
#   docker buildx build --platform linux/amd64,linux/arm64 -f deploy/images/prober.Dockerfile .
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends openjdk-17-jre-headless \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /usr/share/doc/* /usr/share/man/* /usr/share/locale/* \
 && groupadd -g 10001 dilemma \
 && useradd -u 10001 -g 10001 -d /tmp -s /usr/sbin/nologin dilemma \
 && mkdir -p /app
COPY shard-worker/prober/target/image-app/dilemma-prober.jar /app/dilemma-prober.jar
USER 10001:10001
WORKDIR /tmp
ENTRYPOINT ["java", "-jar", "/app/dilemma-prober.jar"]
CMD ["--help"]
