#!/usr/bin/env bash
# Continuous delivery to ECS/Fargate: build both images, push them to ECR, register a new
# revision of deploy/ecs/task-definition.json with the new image tags, roll the service and wait
# until it is stable.
#
#   AWS_REGION=eu-west-1 AWS_ACCOUNT_ID=123456789012 ECS_CLUSTER=fattore ECS_SERVICE=fattore \
#     deploy/deploy.sh [--dry-run]
#
# Settings (environment):
#   AWS_REGION, AWS_ACCOUNT_ID, ECS_CLUSTER, ECS_SERVICE   required
#   IMAGE_TAG            default: the current git commit (short), else a timestamp
#   API_REPOSITORY       ECR repository of the api image   (default fattore-api)
#   PROXY_REPOSITORY     ECR repository of the proxy image (default fattore-proxy)
#   TASK_DEFINITION      template to register (default deploy/ecs/task-definition.json)
# --dry-run prints every command instead of running it.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

DRY_RUN=false
for arg in "$@"; do
    case $arg in
        --dry-run) DRY_RUN=true ;;
        -h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "deploy.sh: unknown argument: $arg" >&2; exit 2 ;;
    esac
done

missing=()
for name in AWS_REGION AWS_ACCOUNT_ID ECS_CLUSTER ECS_SERVICE; do
    [ -n "${!name:-}" ] || missing+=("$name")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "deploy.sh: set ${missing[*]} (see the header of this script)" >&2
    exit 2
fi

IMAGE_TAG=${IMAGE_TAG:-$(git rev-parse --short=12 HEAD 2>/dev/null || date -u +%Y%m%d%H%M%S)}
API_REPOSITORY=${API_REPOSITORY:-fattore-api}
PROXY_REPOSITORY=${PROXY_REPOSITORY:-fattore-proxy}
TASK_DEFINITION=${TASK_DEFINITION:-deploy/ecs/task-definition.json}
REGISTRY="$AWS_ACCOUNT_ID.dkr.ecr.$AWS_REGION.amazonaws.com"
API_IMAGE="$REGISTRY/$API_REPOSITORY:$IMAGE_TAG"
PROXY_IMAGE="$REGISTRY/$PROXY_REPOSITORY:$IMAGE_TAG"

# run CMD...: runs a command, or prints it under --dry-run.
run() {
    if $DRY_RUN; then
        printf '+'
        printf ' %q' "$@"
        printf '\n'
    else
        "$@"
    fi
}

echo "==> deploying $IMAGE_TAG to $ECS_CLUSTER/$ECS_SERVICE ($AWS_REGION)"

if $DRY_RUN; then
    echo "+ aws ecr get-login-password --region $AWS_REGION | docker login --username AWS --password-stdin $REGISTRY"
else
    aws ecr get-login-password --region "$AWS_REGION" | docker login --username AWS --password-stdin "$REGISTRY"
fi

run docker build --file deploy/api.Dockerfile --build-arg "VERSION=$IMAGE_TAG" --tag "$API_IMAGE" .
run docker build --file deploy/proxy.Dockerfile --build-arg "VERSION=$IMAGE_TAG" --tag "$PROXY_IMAGE" .
run docker push "$API_IMAGE"
run docker push "$PROXY_IMAGE"

rendered=$(mktemp "${TMPDIR:-/tmp}/task-definition.XXXXXX.json")
trap 'rm -f "$rendered"' EXIT
sed -e "s|<API_IMAGE>|$API_IMAGE|g" \
    -e "s|<PROXY_IMAGE>|$PROXY_IMAGE|g" \
    -e "s|<ACCOUNT_ID>|$AWS_ACCOUNT_ID|g" \
    -e "s|<REGION>|$AWS_REGION|g" \
    "$TASK_DEFINITION" >"$rendered"
if grep -q '<[A-Z_]*>' "$rendered"; then
    echo "deploy.sh: unfilled placeholders left in $TASK_DEFINITION:" >&2
    grep -o '<[A-Z_]*>' "$rendered" | sort -u >&2
    exit 1
fi

if $DRY_RUN; then
    run aws ecs register-task-definition --region "$AWS_REGION" --cli-input-json "file://$rendered" \
        --query taskDefinition.taskDefinitionArn --output text
    task_definition_arn="arn:aws:ecs:$AWS_REGION:$AWS_ACCOUNT_ID:task-definition/fattore:NEW"
else
    task_definition_arn=$(aws ecs register-task-definition --region "$AWS_REGION" \
        --cli-input-json "file://$rendered" --query taskDefinition.taskDefinitionArn --output text)
fi
echo "==> registered $task_definition_arn"

run aws ecs update-service --region "$AWS_REGION" --cluster "$ECS_CLUSTER" --service "$ECS_SERVICE" \
    --task-definition "$task_definition_arn"
run aws ecs wait services-stable --region "$AWS_REGION" --cluster "$ECS_CLUSTER" --services "$ECS_SERVICE"
echo "==> $ECS_SERVICE is stable on $IMAGE_TAG"
