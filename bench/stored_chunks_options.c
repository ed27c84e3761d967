/* stored_chunks_options.c — the micro-benchmark behind chunks.h's choice of
 * article chunks: packs the records dumped by stored_chunks_dump.c into
 * zstd frames of TARGET KiB at LEVEL, without ("frame") or with ("dict") a
 * dictionary of DICT KiB trained per segment on SAMPLE KiB of records, and
 * prints the store's size and the CPU time of decompressing the frame of
 * 20,000 random records. Environment: FC_K/FC_D (fastCover with fixed
 * parameters instead of ZDICT_trainFromBuffer), SMALLP (CDict parameters
 * for TARGET-sized inputs), ATTACH (ZSTD_c_forceAttachDict).
 *
 * cc -O2 bench/stored_chunks_options.c -lzstd -o /tmp/mb
 * /tmp/mb frame 256 6; FC_K=200 FC_D=8 /tmp/mb dict 16 6 64 1024
 * (reads /tmp/S/mb/recs.bin, or RECS=path). NMAX=N keeps the first N
 * records (one segment), READS=0 skips the reads: for callgrind, e.g.
 * NMAX=3000 READS=0 valgrind --tool=callgrind /tmp/mb frame 256 6 */
#define _POSIX_C_SOURCE 200809L
#define ZDICT_STATIC_LINKING_ONLY
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <time.h>
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>
#include <zdict.h>
static double now(void){struct timespec t;clock_gettime(CLOCK_PROCESS_CPUTIME_ID,&t);return t.tv_sec+t.tv_nsec/1e9;}
typedef struct { unsigned char *p; size_t len; int seg; } rec;
static rec *R; static size_t NR;
/* chunk: raw concatenation of records [a,b) with u32 lengths; compressed */
typedef struct { size_t a, b; void *c; size_t clen, rlen; int seg; } chunk;
int main(int argc, char **argv){
  const char *mode = argv[1]; size_t target = atoi(argv[2]) << 10; int level = atoi(argv[3]);
  size_t dictsz = argc > 4 ? atoi(argv[4]) << 10 : 0; size_t sample = argc > 5 ? atoi(argv[5]) << 10 : 4u<<20;
  FILE *f = fopen(getenv("RECS") ? getenv("RECS") : "/tmp/S/mb/recs.bin","rb"); fseek(f,0,SEEK_END); size_t n=ftell(f); rewind(f);
  unsigned char *all = malloc(n); if (fread(all,1,n,f)!=n) return 1;
  R = malloc(40000*sizeof *R); int seg=-1;
  for (size_t o=0;o<n;){ uint32_t l; memcpy(&l,all+o,4); o+=4; if(l==0xFFFFFFFFu){seg++;continue;} R[NR].p=all+o;R[NR].len=l;R[NR].seg=seg;NR++;o+=l; if(getenv("NMAX")&&NR>=(size_t)atoi(getenv("NMAX"))&&seg==0){ R[NR].p=all+o;R[NR].len=0;R[NR].seg=1;NR++; break;}}
  chunk *C = malloc(NR*sizeof *C); size_t NC=0;
  ZSTD_CCtx *cc = ZSTD_createCCtx(); ZSTD_DCtx *dc = ZSTD_createDCtx();
  ZSTD_CDict *cd[2]={0}; ZSTD_DDict *dd[2]={0}; size_t dtotal=0; double ttrain=0;
  if (!strcmp(mode,"dict")) for (int s=0;s<2;s++){
     /* samples: records of segment s spread evenly, up to `sample` bytes */
     size_t first=0,cnt=0; for(size_t i=0;i<NR;i++) if(R[i].seg==s){ if(!cnt) first=i; cnt++; }
     if (cnt < 100) { cd[s]=cd[0]; dd[s]=dd[0]; continue; }
     size_t tot=0; for(size_t i=first;i<first+cnt;i++) tot+=R[i].len;
     size_t every = tot/sample ? tot/sample : 1;
     unsigned char *buf=malloc(sample+ (1<<20)); size_t *sz=malloc(cnt*sizeof *sz); size_t ns=0,bl=0;
     for(size_t i=first;i<first+cnt && bl < sample;i+=every){ memcpy(buf+bl,R[i].p,R[i].len); sz[ns++]=R[i].len; bl+=R[i].len; }
     void *d=malloc(dictsz); double t0=now();
     size_t dl;
     if (getenv("FC_K")) { ZDICT_fastCover_params_t p; memset(&p,0,sizeof p); p.k=atoi(getenv("FC_K")); p.d=atoi(getenv("FC_D")); p.f=getenv("FC_F")?atoi(getenv("FC_F")):20; p.accel=getenv("FC_A")?atoi(getenv("FC_A")):1; p.steps=0; p.nbThreads=1; p.splitPoint=1.0; p.zParams.compressionLevel=level;
       dl = ZDICT_trainFromBuffer_fastCover(d,dictsz,buf,sz,(unsigned)ns,p); }
     else dl = ZDICT_trainFromBuffer(d,dictsz,buf,sz,(unsigned)ns);
     ttrain += now()-t0;
     if (ZDICT_isError(dl)) { fprintf(stderr,"train: %s\n",ZDICT_getErrorName(dl)); return 1;}
     if (getenv("SMALLP")) { ZSTD_compressionParameters cp = ZSTD_getCParams(level, target, dl); cd[s]=ZSTD_createCDict_advanced(d,dl,ZSTD_dlm_byCopy,ZSTD_dct_auto,cp,ZSTD_defaultCMem);} else cd[s]=ZSTD_createCDict(d,dl,level); dd[s]=ZSTD_createDDict(d,dl); dtotal+= ZSTD_compressBound(dl) ? dl : 0;
  }
  double t0=now(); size_t total=0, rawt=0;
  unsigned char *raw = malloc(64<<20); 
  for(size_t i=0;i<NR;){ size_t j=i, rl=0; int s=R[i].seg;
     while(j<NR && R[j].seg==s && (rl < target || j==i)) { memcpy(raw+rl,R[j].p,R[j].len); rl+=R[j].len+2; j++; }
     C[NC].a=i;C[NC].b=j;C[NC].rlen=rl;C[NC].seg=s; size_t bound=ZSTD_compressBound(rl); C[NC].c=malloc(bound);
     if (cd[0] && getenv("ATTACH")) { ZSTD_CCtx_reset(cc, ZSTD_reset_session_and_parameters); ZSTD_CCtx_setParameter(cc, ZSTD_c_forceAttachDict, atoi(getenv("ATTACH"))); ZSTD_CCtx_refCDict(cc, cd[s]); C[NC].clen = ZSTD_compress2(cc,C[NC].c,bound,raw,rl);} else
     C[NC].clen = cd[0] ? ZSTD_compress_usingCDict(cc,C[NC].c,bound,raw,rl,cd[s]) : ZSTD_compressCCtx(cc,C[NC].c,bound,raw,rl,level);
     total+=C[NC].clen+24; rawt+=rl; NC++; i=j; }
  double tc=now()-t0;
  /* random reads: 20000 random docs, decompress their chunk */
  srand(1); unsigned char *out=malloc(64<<20); size_t reads=getenv("READS")?atoi(getenv("READS")):20000; size_t *cho=malloc(NR*sizeof *cho);
  for(size_t c=0;c<NC;c++) for(size_t i=C[c].a;i<C[c].b;i++) cho[i]=c;
  t0=now();
  for(size_t k=0;k<reads;k++){ size_t d=(size_t)rand()%NR; chunk *c=&C[cho[d]];
     size_t g = dd[0] ? ZSTD_decompress_usingDDict(dc,out,c->rlen,c->c,c->clen,dd[c->seg]) : ZSTD_decompressDCtx(dc,out,c->rlen,c->c,c->clen);
     if (ZSTD_isError(g)) {fprintf(stderr,"bad\n");return 1;} }
  double td=now()-t0;
  printf("%s target=%zuK level=%d dict=%zuK sample=%zuK: chunks=%zu size=%.2f MB (dicts %.2f MB) raw=%.1f MB compress_cpu=%.2f s train_cpu=%.2f s read=%.1f us/record\n",
     mode,target>>10,level,dictsz>>10,sample>>10,NC,(total+dtotal)/1e6,dtotal/1e6,rawt/1e6,tc,ttrain,td/reads*1e6);
  return 0;
}
